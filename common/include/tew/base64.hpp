// Standard base64 (RFC 4648 §4, padded), used for CloudEvents `data_base64`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tew {

std::string base64_encode(std::string_view bytes);
// nullopt for any character outside the alphabet, bad padding or a length not multiple of 4.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tew
