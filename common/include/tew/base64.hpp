// Standard base64 (RFC 4648 §4, padded), used for CloudEvents `data_base64`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tew {

std::string base64_encode(std::string_view bytes);
// nullopt for any character outside the alphabet, bad padding or a length not multiple of 4.
// Strict: no whitespace, and the unused bits before the padding must be zero (RFC 4648 §3.5),
// so every accepted text is the one base64_encode would write.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tew
