// RFC 3339 timestamps (the CloudEvents `time` attribute and every time in task events):
// strict parsing to UTC microseconds and canonical formatting.
#pragma once

#include <string>
#include <string_view>

#include "tew/clock.hpp"
#include "tew/error.hpp"

namespace tew {

// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` ('t'/'z' and a space separator
// too, as RFC 3339 allows). Fractions beyond microseconds are truncated. The error's subject
// is `subject`, so callers name the attribute or field being parsed.
// Strict: every field in range (Feb 29 only in leap years); a leap second (:60) is rejected,
// since no clock we talk to produces one; "-00:00" ("offset unknown") is read as UTC.
Result<Timestamp> parse_rfc3339(std::string_view text, std::string_view subject = "time");

// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`; the fraction is written only when it is non-zero.
std::string format_rfc3339(Timestamp t);

}  // namespace tew
