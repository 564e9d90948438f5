// Recurrence rules: the subset of RFC 5545 §3.3.10 RRULE that task recurrence uses, plus the
// simple words daily|weekly|monthly|yearly. Parsing never throws: anything outside the subset
// or malformed is an error whose message names the rule part.
#pragma once

#include <date/date.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "tew/clock.hpp"
#include "tew/error.hpp"

namespace tew::recurring {

enum class Frequency { daily, weekly, monthly, yearly };

// One BYDAY entry: a weekday, optionally with an ordinal (2MO: the second Monday, -1FR: the last
// Friday) counted within the month, or within the year for FREQ=YEARLY without BYMONTH.
struct WeekdayNum {
  date::weekday day;
  int ordinal = 0;  // 0: every such weekday

  friend bool operator==(const WeekdayNum&, const WeekdayNum&) = default;
};

// UNTIL as a date (inclusive: every occurrence on that local date or before) or a UTC
// date-time (inclusive: every occurrence starting at or before that instant).
using Until = std::variant<date::year_month_day, Timestamp>;

struct RRule {
  Frequency frequency = Frequency::daily;
  int interval = 1;
  std::vector<WeekdayNum> by_day;
  std::vector<int> by_month_day;  // 1..31 or -31..-1 (from the month's end)
  std::vector<int> by_month;      // 1..12
  std::optional<std::int64_t> count;
  std::optional<Until> until;
  date::weekday week_start = date::Monday;  // WKST

  friend bool operator==(const RRule&, const RRule&) = default;
};

inline constexpr int kMaxInterval = 10'000;
inline constexpr std::int64_t kMaxCount = 100'000;

// Accepts, with or without an "RRULE:" prefix, parts NAME=VALUE separated by ';' (names and
// enumerated values in any case, each part at most once):
//   FREQ=DAILY|WEEKLY|MONTHLY|YEARLY (required)    INTERVAL=1..10000
//   COUNT=1..100000 | UNTIL=YYYYMMDD | UNTIL=YYYYMMDDTHHMMSSZ (not both)
//   BYDAY=[[+|-]1..53]MO|TU|WE|TH|FR|SA|SU,...    (ordinals only with MONTHLY or YEARLY)
//   BYMONTHDAY=[+|-]1..31,...                     (not with WEEKLY)
//   BYMONTH=1..12,...                             WKST=MO..SU
// or one of the words daily|weekly|monthly|yearly (any case). Surrounding white space is
// ignored. Errors: Error::invalid(subject, "<PART>: <why>").
Result<RRule> parse_rrule(std::string_view text, std::string_view subject = "recurrence");

}  // namespace tew::recurring
