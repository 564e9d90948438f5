// Bounded JSON parsing for untrusted bodies: a nesting limit checked before the parser runs
// (the DOM and dump() recurse), and parse failures as values naming what was parsed.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "tew/error.hpp"

namespace tew {

inline constexpr std::size_t kMaxJsonDepth = 64;

// Deepest nesting of arrays/objects in `text`, ignoring brackets inside strings.
std::size_t json_depth(std::string_view text);

// Parses `text`; rejects invalid JSON, invalid UTF-8 and nesting deeper than `max_depth`.
Result<nlohmann::json> parse_json(std::string_view text, std::string_view subject = "body",
                                  std::size_t max_depth = kMaxJsonDepth);

}  // namespace tew
