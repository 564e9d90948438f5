#include "recurring/calendar.hpp"

#include <doctest/doctest.h>

namespace {

using namespace tew::recurring;
using date::local_days;

RRule rule(std::string_view text) {
  return parse_rrule(text).value();
}

local_days day(int y, unsigned m, unsigned d) {
  return local_days{date::year{y} / m / d};
}

}  // namespace

TEST_CASE("periods are counted from the anchor's, INTERVAL apart") {
  const auto weekly = rule("FREQ=WEEKLY;INTERVAL=2");  // weeks start on Monday
  const PeriodSequence weeks(weekly, day(2026, 1, 7));
  CHECK(weeks.at(0).first == day(2026, 1, 5));
  CHECK(weeks.at(0).last == day(2026, 1, 11));
  CHECK(weeks.at(1).first == day(2026, 1, 19));
  const auto sunday_weeks = rule("FREQ=WEEKLY;WKST=SU");
  CHECK(PeriodSequence(sunday_weeks, day(2026, 1, 7)).at(0).first == day(2026, 1, 4));

  const auto monthly = rule("FREQ=MONTHLY;INTERVAL=18");
  const PeriodSequence months(monthly, day(1997, 9, 10));
  CHECK(months.at(1).first == day(1999, 3, 1));
  CHECK(months.at(1).last == day(1999, 3, 31));
  const auto yearly = rule("FREQ=YEARLY");
  CHECK(PeriodSequence(yearly, day(2024, 2, 29)).at(1).last == day(2025, 12, 31));
}

TEST_CASE("index_before finds the last period starting on or before a day, in phase") {
  const auto every3 = rule("FREQ=DAILY;INTERVAL=3");
  const PeriodSequence days(every3, day(2026, 1, 1));
  CHECK(days.index_before(day(2026, 1, 1)) == 0);
  CHECK(days.index_before(day(2026, 1, 3)) == 0);
  CHECK(days.index_before(day(2026, 1, 4)) == 1);
  CHECK(days.index_before(day(2025, 12, 1)) == 0);  // before the anchor
  const auto monthly = rule("FREQ=MONTHLY;INTERVAL=2");
  CHECK(PeriodSequence(monthly, day(2026, 1, 31)).index_before(day(2026, 12, 1)) == 5);
}

TEST_CASE("one 400-year cycle in periods of each frequency") {
  CHECK(PeriodSequence(rule("daily"), day(2026, 1, 1)).cycle() == 146'097);
  CHECK(PeriodSequence(rule("weekly"), day(2026, 1, 1)).cycle() == 20'871);
  CHECK(PeriodSequence(rule("monthly"), day(2026, 1, 1)).cycle() == 4'800);
  CHECK(PeriodSequence(rule("yearly"), day(2026, 1, 1)).cycle() == 400);
}

TEST_CASE("without BYDAY or BYMONTHDAY a rule takes from DTSTART what its frequency needs") {
  const date::year_month_day anchor{date::year{2026} / 1 / 31};  // a Saturday
  CHECK(selects(rule("daily"), day(2026, 2, 3), anchor));
  CHECK(selects(rule("weekly"), day(2026, 2, 7), anchor));
  CHECK_FALSE(selects(rule("weekly"), day(2026, 2, 6), anchor));
  CHECK(selects(rule("monthly"), day(2026, 3, 31), anchor));
  CHECK_FALSE(selects(rule("monthly"), day(2026, 2, 28), anchor));  // no Feb 31: skipped
  CHECK(selects(rule("yearly"), day(2027, 1, 31), anchor));
  CHECK_FALSE(selects(rule("yearly"), day(2027, 3, 31), anchor));
  CHECK(selects(rule("FREQ=YEARLY;BYMONTH=3"), day(2027, 3, 31), anchor));
}

TEST_CASE("BYDAY ordinals count within the month, or the year for YEARLY without BYMONTH") {
  const date::year_month_day anchor{date::year{2026} / 1 / 1};
  CHECK(selects(rule("FREQ=MONTHLY;BYDAY=-1FR"), day(2026, 2, 27), anchor));
  CHECK_FALSE(selects(rule("FREQ=MONTHLY;BYDAY=-1FR"), day(2026, 2, 20), anchor));
  CHECK(selects(rule("FREQ=MONTHLY;BYDAY=-2FR"), day(2026, 2, 20), anchor));
  CHECK(selects(rule("FREQ=MONTHLY;BYDAY=1MO"), day(2026, 2, 2), anchor));
  CHECK(selects(rule("FREQ=YEARLY;BYDAY=1MO"), day(2026, 1, 5), anchor));
  CHECK_FALSE(selects(rule("FREQ=YEARLY;BYDAY=1MO"), day(2026, 2, 2), anchor));
  CHECK(selects(rule("FREQ=YEARLY;BYDAY=1MO;BYMONTH=2"), day(2026, 2, 2), anchor));
  CHECK(selects(rule("FREQ=YEARLY;BYDAY=-1MO"), day(2026, 12, 28), anchor));
}

TEST_CASE("BYMONTHDAY counts from the month's end when negative, BYMONTH limits") {
  const date::year_month_day anchor{date::year{2026} / 1 / 1};
  CHECK(selects(rule("FREQ=MONTHLY;BYMONTHDAY=-1"), day(2028, 2, 29), anchor));
  CHECK_FALSE(selects(rule("FREQ=MONTHLY;BYMONTHDAY=-1"), day(2028, 2, 28), anchor));
  CHECK(selects(rule("FREQ=MONTHLY;BYMONTHDAY=-31"), day(2026, 1, 1), anchor));
  CHECK_FALSE(selects(rule("FREQ=MONTHLY;BYMONTHDAY=-31"), day(2026, 2, 1), anchor));
  CHECK_FALSE(selects(rule("FREQ=DAILY;BYMONTH=2"), day(2026, 3, 1), anchor));
}
