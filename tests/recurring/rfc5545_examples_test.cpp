// The RRULE examples of RFC 5545 §3.8.5.3 that fall in our subset, DTSTART and all in
// America/New_York as in the RFC, expanded with first_after() from DTSTART on.
//
// Used: daily for 10; daily until Dec 24; every other day; every 10 days, 5 times; every day in
// January for 3 years (both forms); weekly for 10; weekly until Dec 24; every other week;
// Tue+Thu for five weeks (both forms); every other week Mon/Wed/Fri until Dec 24; every other
// week Tue+Thu for 8; first Friday for 10 and until Dec 24; every other month first and last
// Sunday; second-to-last Monday; third-to-last day; 2nd and 15th; first and last day; every 18
// months 10th-15th; every Tuesday every other month; June and July; every other year Jan-Mar;
// 20th Monday of the year; every Thursday in March; Thursdays in June-August; Friday the 13th
// (its EXDATE of DTSTART is modelled by starting after DTSTART); first Saturday after the first
// Sunday; US election day; the two WKST examples; the invalid-date (Feb 30) example.
// Skipped, outside the subset: BYYEARDAY (every third year on days 1, 100, 200), BYWEEKNO
// (Monday of week 20), BYSETPOS (third Tue/Wed/Thu, second-to-last weekday), and everything
// HOURLY, MINUTELY or with BYHOUR/BYMINUTE (every 3 hours, 15 minutes, 90 minutes, 20 minutes).
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "recurring/occurrences.hpp"
#include "tew/rfc3339.hpp"

namespace {

using namespace tew::recurring;
using Strings = std::vector<std::string>;

Recurrence recurrence(std::string_view rule, std::string_view dtstart) {
  return {parse_rrule(rule).value(), find_time_zone("America/New_York", "tz").value(),
          parse_local(std::string(dtstart) + "T09:00:00", "dtstart").value()};
}

// DTSTART and what follows it, at most `max`, as local wall-clock times.
Strings expand(const Recurrence& r, std::size_t max = 200) {
  Strings out;
  auto next = first_after(r, r.anchor - std::chrono::microseconds{1}, 1);
  while (next && out.size() < max) {
    out.push_back(format_local(next->local));
    next = first_after(r, next->local, next->index + 1);
  }
  return out;
}

Strings at_nine(std::initializer_list<const char*> days) {
  Strings out;
  for (const auto* d : days)
    out.push_back(std::string(d) + "T09:00:00");
  return out;
}

// Every day from `first` to `last` (inclusive) at 09:00.
Strings every_day(std::string_view first, std::string_view last) {
  Strings out;
  auto day = date::floor<date::days>(parse_local(std::string(first) + "T00:00:00", "d").value());
  const auto end =
      date::floor<date::days>(parse_local(std::string(last) + "T00:00:00", "d").value());
  for (; day <= end; day += date::days{1})
    out.push_back(format_local(day + std::chrono::hours{9}));
  return out;
}

Strings concat(std::initializer_list<Strings> parts) {
  Strings out;
  for (const auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("RFC 5545: daily for 10 occurrences") {
  CHECK(expand(recurrence("FREQ=DAILY;COUNT=10", "1997-09-02")) ==
        every_day("1997-09-02", "1997-09-11"));
}

TEST_CASE("RFC 5545: daily until December 24, 1997, across the end of daylight saving time") {
  const auto r = recurrence("FREQ=DAILY;UNTIL=19971224T000000Z", "1997-09-02");
  CHECK(expand(r) == every_day("1997-09-02", "1997-12-23"));
  // 09:00 local throughout: EDT (UTC-4) until Oct 25, EST (UTC-5) from Oct 26.
  const auto oct25 = first_after(r, parse_local("1997-10-24T09:00:00", "t").value(), 2);
  const auto oct26 = first_after(r, oct25->local, 3);
  CHECK(tew::format_rfc3339(oct25->start) == "1997-10-25T13:00:00Z");
  CHECK(tew::format_rfc3339(oct26->start) == "1997-10-26T14:00:00Z");
}

TEST_CASE("RFC 5545: every other day, forever") {
  CHECK(expand(recurrence("FREQ=DAILY;INTERVAL=2", "1997-09-02"), 5) ==
        at_nine({"1997-09-02", "1997-09-04", "1997-09-06", "1997-09-08", "1997-09-10"}));
}

TEST_CASE("RFC 5545: every 10 days, 5 occurrences") {
  CHECK(expand(recurrence("FREQ=DAILY;INTERVAL=10;COUNT=5", "1997-09-02")) ==
        at_nine({"1997-09-02", "1997-09-12", "1997-09-22", "1997-10-02", "1997-10-12"}));
}

TEST_CASE("RFC 5545: every day in January, for 3 years (yearly and daily forms)") {
  const auto januaries =
      concat({every_day("1998-01-01", "1998-01-31"), every_day("1999-01-01", "1999-01-31"),
              every_day("2000-01-01", "2000-01-31")});
  CHECK(expand(recurrence("FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
                          "1998-01-01")) == januaries);
  CHECK(expand(recurrence("FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", "1998-01-01")) ==
        januaries);
}

TEST_CASE("RFC 5545: weekly for 10 occurrences") {
  CHECK(expand(recurrence("FREQ=WEEKLY;COUNT=10", "1997-09-02")) ==
        at_nine({"1997-09-02", "1997-09-09", "1997-09-16", "1997-09-23", "1997-09-30", "1997-10-07",
                 "1997-10-14", "1997-10-21", "1997-10-28", "1997-11-04"}));
}

TEST_CASE("RFC 5545: weekly until December 24, 1997") {
  CHECK(expand(recurrence("FREQ=WEEKLY;UNTIL=19971224T000000Z", "1997-09-02")) ==
        at_nine({"1997-09-02", "1997-09-09", "1997-09-16", "1997-09-23", "1997-09-30", "1997-10-07",
                 "1997-10-14", "1997-10-21", "1997-10-28", "1997-11-04", "1997-11-11", "1997-11-18",
                 "1997-11-25", "1997-12-02", "1997-12-09", "1997-12-16", "1997-12-23"}));
}

TEST_CASE("RFC 5545: every other week, forever") {
  CHECK(expand(recurrence("FREQ=WEEKLY;INTERVAL=2;WKST=SU", "1997-09-02"), 13) ==
        at_nine({"1997-09-02", "1997-09-16", "1997-09-30", "1997-10-14", "1997-10-28", "1997-11-11",
                 "1997-11-25", "1997-12-09", "1997-12-23", "1998-01-06", "1998-01-20", "1998-02-03",
                 "1998-02-17"}));
}

TEST_CASE("RFC 5545: weekly on Tuesday and Thursday for five weeks (both forms)") {
  const auto expected =
      at_nine({"1997-09-02", "1997-09-04", "1997-09-09", "1997-09-11", "1997-09-16", "1997-09-18",
               "1997-09-23", "1997-09-25", "1997-09-30", "1997-10-02"});
  CHECK(expand(recurrence("FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
                          "1997-09-02")) == expected);
  CHECK(expand(recurrence("FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", "1997-09-02")) == expected);
}

TEST_CASE("RFC 5545: every other week on Monday, Wednesday and Friday until December 24") {
  CHECK(expand(recurrence("FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
                          "1997-09-01")) ==
        at_nine({"1997-09-01", "1997-09-03", "1997-09-05", "1997-09-15", "1997-09-17",
                 "1997-09-19", "1997-09-29", "1997-10-01", "1997-10-03", "1997-10-13",
                 "1997-10-15", "1997-10-17", "1997-10-27", "1997-10-29", "1997-10-31",
                 "1997-11-10", "1997-11-12", "1997-11-14", "1997-11-24", "1997-11-26",
                 "1997-11-28", "1997-12-08", "1997-12-10", "1997-12-12", "1997-12-22"}));
}

TEST_CASE("RFC 5545: every other week on Tuesday and Thursday, for 8 occurrences") {
  CHECK(expand(recurrence("FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", "1997-09-02")) ==
        at_nine({"1997-09-02", "1997-09-04", "1997-09-16", "1997-09-18", "1997-09-30", "1997-10-02",
                 "1997-10-14", "1997-10-16"}));
}

TEST_CASE("RFC 5545: monthly on the first Friday, 10 times and until December 24") {
  CHECK(expand(recurrence("FREQ=MONTHLY;COUNT=10;BYDAY=1FR", "1997-09-05")) ==
        at_nine({"1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05", "1998-01-02", "1998-02-06",
                 "1998-03-06", "1998-04-03", "1998-05-01", "1998-06-05"}));
  CHECK(expand(recurrence("FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR", "1997-09-05")) ==
        at_nine({"1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05"}));
}

TEST_CASE("RFC 5545: every other month on the first and last Sunday, 10 times") {
  CHECK(expand(recurrence("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", "1997-09-07")) ==
        at_nine({"1997-09-07", "1997-09-28", "1997-11-02", "1997-11-30", "1998-01-04", "1998-01-25",
                 "1998-03-01", "1998-03-29", "1998-05-03", "1998-05-31"}));
}

TEST_CASE("RFC 5545: monthly on the second-to-last Monday, 6 times") {
  CHECK(expand(recurrence("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", "1997-09-22")) ==
        at_nine(
            {"1997-09-22", "1997-10-20", "1997-11-17", "1997-12-22", "1998-01-19", "1998-02-16"}));
}

TEST_CASE("RFC 5545: monthly on the third-to-last day, forever") {
  CHECK(expand(recurrence("FREQ=MONTHLY;BYMONTHDAY=-3", "1997-09-28"), 6) ==
        at_nine(
            {"1997-09-28", "1997-10-29", "1997-11-28", "1997-12-29", "1998-01-29", "1998-02-26"}));
}

TEST_CASE("RFC 5545: monthly on the 2nd and 15th, 10 times") {
  CHECK(expand(recurrence("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", "1997-09-02")) ==
        at_nine({"1997-09-02", "1997-09-15", "1997-10-02", "1997-10-15", "1997-11-02", "1997-11-15",
                 "1997-12-02", "1997-12-15", "1998-01-02", "1998-01-15"}));
}

TEST_CASE("RFC 5545: monthly on the first and last day, 10 times") {
  CHECK(expand(recurrence("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", "1997-09-30")) ==
        at_nine({"1997-09-30", "1997-10-01", "1997-10-31", "1997-11-01", "1997-11-30", "1997-12-01",
                 "1997-12-31", "1998-01-01", "1998-01-31", "1998-02-01"}));
}

TEST_CASE("RFC 5545: every 18 months on the 10th to 15th, 10 times") {
  CHECK(expand(recurrence("FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
                          "1997-09-10")) ==
        at_nine({"1997-09-10", "1997-09-11", "1997-09-12", "1997-09-13", "1997-09-14", "1997-09-15",
                 "1999-03-10", "1999-03-11", "1999-03-12", "1999-03-13"}));
}

TEST_CASE("RFC 5545: every Tuesday, every other month") {
  CHECK(expand(recurrence("FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", "1997-09-02"), 18) ==
        at_nine({"1997-09-02", "1997-09-09", "1997-09-16", "1997-09-23", "1997-09-30", "1997-11-04",
                 "1997-11-11", "1997-11-18", "1997-11-25", "1998-01-06", "1998-01-13", "1998-01-20",
                 "1998-01-27", "1998-03-03", "1998-03-10", "1998-03-17", "1998-03-24",
                 "1998-03-31"}));
}

TEST_CASE("RFC 5545: yearly in June and July, 10 times") {
  CHECK(expand(recurrence("FREQ=YEARLY;COUNT=10;BYMONTH=6,7", "1997-06-10")) ==
        at_nine({"1997-06-10", "1997-07-10", "1998-06-10", "1998-07-10", "1999-06-10", "1999-07-10",
                 "2000-06-10", "2000-07-10", "2001-06-10", "2001-07-10"}));
}

TEST_CASE("RFC 5545: every other year on January, February and March, 10 times") {
  CHECK(expand(recurrence("FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", "1997-03-10")) ==
        at_nine({"1997-03-10", "1999-01-10", "1999-02-10", "1999-03-10", "2001-01-10", "2001-02-10",
                 "2001-03-10", "2003-01-10", "2003-02-10", "2003-03-10"}));
}

TEST_CASE("RFC 5545: every 20th Monday of the year, forever") {
  CHECK(expand(recurrence("FREQ=YEARLY;BYDAY=20MO", "1997-05-19"), 3) ==
        at_nine({"1997-05-19", "1998-05-18", "1999-05-17"}));
}

TEST_CASE("RFC 5545: every Thursday in March, forever") {
  CHECK(expand(recurrence("FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "1997-03-13"), 11) ==
        at_nine({"1997-03-13", "1997-03-20", "1997-03-27", "1998-03-05", "1998-03-12", "1998-03-19",
                 "1998-03-26", "1999-03-04", "1999-03-11", "1999-03-18", "1999-03-25"}));
}

TEST_CASE("RFC 5545: every Thursday, but only during June, July and August, forever") {
  CHECK(expand(recurrence("FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", "1997-06-05"), 39) ==
        at_nine({"1997-06-05", "1997-06-12", "1997-06-19", "1997-06-26", "1997-07-03", "1997-07-10",
                 "1997-07-17", "1997-07-24", "1997-07-31", "1997-08-07", "1997-08-14", "1997-08-21",
                 "1997-08-28", "1998-06-04", "1998-06-11", "1998-06-18", "1998-06-25", "1998-07-02",
                 "1998-07-09", "1998-07-16", "1998-07-23", "1998-07-30", "1998-08-06", "1998-08-13",
                 "1998-08-20", "1998-08-27", "1999-06-03", "1999-06-10", "1999-06-17", "1999-06-24",
                 "1999-07-01", "1999-07-08", "1999-07-15", "1999-07-22", "1999-07-29", "1999-08-05",
                 "1999-08-12", "1999-08-19", "1999-08-26"}));
}

TEST_CASE("RFC 5545: every Friday the 13th, forever (DTSTART itself excluded)") {
  const auto r = recurrence("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "1997-09-02");
  auto strings = expand(r, 6);
  strings.erase(strings.begin());  // the RFC's EXDATE removes DTSTART, which is no Friday 13th
  CHECK(strings == at_nine({"1998-02-13", "1998-03-13", "1998-11-13", "1999-08-13", "2000-10-13"}));
}

TEST_CASE("RFC 5545: the first Saturday that follows the first Sunday of the month") {
  CHECK(
      expand(recurrence("FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", "1997-09-13"), 10) ==
      at_nine({"1997-09-13", "1997-10-11", "1997-11-08", "1997-12-13", "1998-01-10", "1998-02-07",
               "1998-03-07", "1998-04-11", "1998-05-09", "1998-06-13"}));
}

TEST_CASE("RFC 5545: every 4 years, the first Tuesday after a Monday in November") {
  CHECK(expand(recurrence("FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
                          "1996-11-05"),
               3) == at_nine({"1996-11-05", "2000-11-07", "2004-11-02"}));
}

TEST_CASE("RFC 5545: WKST changes which days an every-other-week rule picks") {
  CHECK(expand(recurrence("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", "1997-08-05")) ==
        at_nine({"1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"}));
  CHECK(expand(recurrence("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", "1997-08-05")) ==
        at_nine({"1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"}));
}

TEST_CASE("RFC 5545: an invalid date (February 30) is skipped, not moved") {
  CHECK(expand(recurrence("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", "2007-01-15")) ==
        at_nine({"2007-01-15", "2007-01-30", "2007-02-15", "2007-03-15", "2007-03-30"}));
}
