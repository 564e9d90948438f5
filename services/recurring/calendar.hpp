// The calendar side of RRULE expansion, in local dates: the periods a rule steps through
// (days, weeks, months or years, INTERVAL apart) and which days of a period it selects.
#pragma once

#include <date/date.h>

#include <cstdint>

#include "recurring/rrule.hpp"

namespace tew::recurring {

// Days [first, last] of one period of the rule's frequency.
struct Period {
  date::local_days first;
  date::local_days last;
};

// Periods counted from the one holding the anchor (DTSTART's local date): period k is the
// k-th one INTERVAL apart, so the rule's phase (every other week, every 18 months) stays
// fixed to the anchor.
class PeriodSequence {
 public:
  PeriodSequence(const RRule& rule, date::local_days anchor);

  Period at(std::int64_t k) const;
  // The index of the last period starting on or before `day` (0 for days before the anchor).
  std::int64_t index_before(date::local_days day) const;
  // Periods in one 400-year Gregorian cycle: the candidates of a period depend only on its
  // place in that cycle, so this many empty periods in a row mean no period is ever non-empty.
  std::int64_t cycle() const;

 private:
  // The period number (days, weeks, months or years since a fixed origin) holding `day`.
  std::int64_t number_of(date::local_days day) const;
  Period period_number(std::int64_t number) const;

  const RRule& rule_;
  std::int64_t anchor_number_;
};

// Whether the rule selects `day` (within its period), given the anchor's date for the parts
// a rule inherits from DTSTART (the weekday of a WEEKLY rule without BYDAY, the day of a
// MONTHLY rule without BYDAY/BYMONTHDAY, the month and day of a plain YEARLY rule).
bool selects(const RRule& rule, date::local_days day, const date::year_month_day& anchor);

}  // namespace tew::recurring
