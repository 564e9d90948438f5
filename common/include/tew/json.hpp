// Bounded JSON parsing for untrusted bodies: a nesting limit enforced while parsing (the DOM
// and dump() recurse, so nothing deeper is ever built), and parse failures as values naming
// what was parsed.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tew/error.hpp"

namespace tew {

inline constexpr std::size_t kMaxJsonDepth = 64;

// Deepest nesting of arrays/objects in `text`, ignoring brackets inside strings.
std::size_t json_depth(std::string_view text);

// Parses `text`; rejects invalid JSON, invalid UTF-8, numbers out of range and nesting deeper
// than `max_depth`. The error message says where and why, never echoing the input.
Result<nlohmann::json> parse_json(std::string_view text, std::string_view subject = "body",
                                  std::size_t max_depth = kMaxJsonDepth);

// A short printable rendering of a JSON value for error messages (at most `max_chars` bytes of
// its serialization, then "..."), so an untrusted value never floods a log line.
std::string json_excerpt(const nlohmann::json& value, std::size_t max_chars = 48);

}  // namespace tew
