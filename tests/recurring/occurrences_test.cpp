#include "recurring/occurrences.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include "tew/rfc3339.hpp"

namespace {

using namespace tew::recurring;
using namespace std::chrono_literals;

const date::time_zone* zone(std::string_view name) {
  return find_time_zone(name, "tz").value();
}

LocalTime local(std::string_view text) {
  return parse_local(text, "local").value();
}

Recurrence recurrence(std::string_view rule, std::string_view dtstart,
                      std::string_view tz = "Europe/Berlin") {
  return {parse_rrule(rule).value(), zone(tz), local(dtstart)};
}

std::string utc(tew::Timestamp t) {
  return tew::format_rfc3339(t);
}

tew::Timestamp instant(std::string_view text) {
  return tew::parse_rfc3339(text).value();
}

// DTSTART and the occurrences after it, at most `max`, as "<local> = <UTC>".
std::vector<std::string> expand(const Recurrence& r, std::size_t max) {
  std::vector<std::string> out;
  auto next = first_after(r, r.anchor - 1us, 1);
  while (next && out.size() < max) {
    out.push_back(format_local(next->local) + " = " + utc(next->start));
    next = first_after(r, next->local, next->index + 1);
  }
  return out;
}

}  // namespace

TEST_CASE("daily 09:00 Europe/Berlin stays 09:00 local across both 2026 DST changes") {
  const auto spring = recurrence("FREQ=DAILY", "2026-03-28T09:00:00");
  CHECK(expand(spring, 3) ==
        std::vector<std::string>{"2026-03-28T09:00:00 = 2026-03-28T08:00:00Z",  // CET, UTC+1
                                 "2026-03-29T09:00:00 = 2026-03-29T07:00:00Z",  // CEST, UTC+2
                                 "2026-03-30T09:00:00 = 2026-03-30T07:00:00Z"});
  const auto autumn = recurrence("daily", "2026-10-24T09:00:00");
  CHECK(expand(autumn, 3) ==
        std::vector<std::string>{"2026-10-24T09:00:00 = 2026-10-24T07:00:00Z",
                                 "2026-10-25T09:00:00 = 2026-10-25T08:00:00Z",
                                 "2026-10-26T09:00:00 = 2026-10-26T08:00:00Z"});
}

TEST_CASE("02:30 Europe/Berlin on the spring-forward day is moved forward by the gap: 03:30") {
  const auto r = recurrence("FREQ=DAILY", "2026-03-28T02:30:00");
  const auto gap_day = first_after(r, local("2026-03-28T02:30:00"), 2);
  REQUIRE(gap_day.has_value());
  CHECK(format_local(gap_day->local) == "2026-03-29T02:30:00");  // nominal: the rule's time
  CHECK(utc(gap_day->start) == "2026-03-29T01:30:00Z");          // = 03:30 CEST
  CHECK(format_local(to_local(gap_day->start, *r.zone)) == "2026-03-29T03:30:00");
  const auto day_after = first_after(r, gap_day->local, 3);
  CHECK(utc(day_after->start) == "2026-03-30T00:30:00Z");  // 02:30 CEST again
}

TEST_CASE("02:30 Europe/Berlin on the fall-back day is its first (CEST) instance") {
  const auto r = recurrence("FREQ=DAILY", "2026-10-24T02:30:00");
  const auto twice = first_after(r, r.anchor, 2);
  REQUIRE(twice.has_value());
  CHECK(utc(twice->start) == "2026-10-25T00:30:00Z");  // 02:30 CEST; the CET one is 01:30Z
  CHECK(utc(first_after(r, twice->local, 3)->start) == "2026-10-26T01:30:00Z");
}

TEST_CASE(
    "America/New_York: 09:00 stays local, 02:30 in the March gap is 03:30, 01:30 in "
    "November is the EDT one") {
  CHECK(expand(recurrence("FREQ=DAILY", "2026-03-07T09:00:00", "America/New_York"), 2) ==
        std::vector<std::string>{"2026-03-07T09:00:00 = 2026-03-07T14:00:00Z",
                                 "2026-03-08T09:00:00 = 2026-03-08T13:00:00Z"});
  CHECK(expand(recurrence("FREQ=DAILY", "2026-10-31T09:00:00", "America/New_York"), 2) ==
        std::vector<std::string>{"2026-10-31T09:00:00 = 2026-10-31T13:00:00Z",
                                 "2026-11-01T09:00:00 = 2026-11-01T14:00:00Z"});
  const auto gap = recurrence("FREQ=DAILY", "2026-03-07T02:30:00", "America/New_York");
  CHECK(utc(first_after(gap, gap.anchor, 2)->start) == "2026-03-08T07:30:00Z");  // 03:30 EDT
  const auto overlap = recurrence("FREQ=DAILY", "2026-10-31T01:30:00", "America/New_York");
  CHECK(utc(first_after(overlap, overlap.anchor, 2)->start) == "2026-11-01T05:30:00Z");  // EDT
}

TEST_CASE("COUNT ends the series at its last occurrence, DTSTART counted as the first") {
  const auto r = recurrence("FREQ=WEEKLY;COUNT=3", "2026-01-05T09:00:00");
  CHECK(expand(r, 10).size() == 3);
  const auto third = first_after(r, local("2026-01-12T09:00:00"), 3);
  REQUIRE(third.has_value());
  CHECK(format_local(third->local) == "2026-01-19T09:00:00");
  CHECK_FALSE(first_after(r, third->local, 4).has_value());
}

TEST_CASE("UNTIL ends the series, the UNTIL instant or date itself is included") {
  const auto by_instant = recurrence("FREQ=DAILY;UNTIL=20260103T080000Z", "2026-01-01T09:00:00");
  CHECK(expand(by_instant, 10).size() == 3);  // 09:00 CET = 08:00Z on Jan 3: included
  const auto just_before = recurrence("FREQ=DAILY;UNTIL=20260103T075959Z", "2026-01-01T09:00:00");
  CHECK(expand(just_before, 10).size() == 2);
  const auto by_date = recurrence("FREQ=DAILY;UNTIL=20260103", "2026-01-01T23:30:00");
  CHECK(expand(by_date, 10).back() == "2026-01-03T23:30:00 = 2026-01-03T22:30:00Z");
}

TEST_CASE("monthly on the last Friday") {
  CHECK(expand(recurrence("FREQ=MONTHLY;BYDAY=-1FR", "2026-01-30T17:00:00"), 4) ==
        std::vector<std::string>{"2026-01-30T17:00:00 = 2026-01-30T16:00:00Z",
                                 "2026-02-27T17:00:00 = 2026-02-27T16:00:00Z",
                                 "2026-03-27T17:00:00 = 2026-03-27T16:00:00Z",
                                 "2026-04-24T17:00:00 = 2026-04-24T15:00:00Z"});
}

TEST_CASE("BYMONTHDAY=-1 is the last day of every month, leap February included") {
  std::vector<std::string> days;
  const auto r = recurrence("FREQ=MONTHLY;BYMONTHDAY=-1", "2027-12-31T08:00:00", "UTC");
  for (const auto& s : expand(r, 4))
    days.push_back(s.substr(0, 10));
  CHECK(days == std::vector<std::string>{"2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31"});
}

TEST_CASE("monthly on the 31st skips the months that have no 31st") {
  std::vector<std::string> days;
  for (const auto& s : expand(recurrence("monthly", "2026-01-31T10:00:00", "UTC"), 4))
    days.push_back(s.substr(0, 10));
  CHECK(days == std::vector<std::string>{"2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31"});
}

TEST_CASE("yearly from February 29 skips the years without one") {
  std::vector<std::string> days;
  for (const auto& s : expand(recurrence("yearly", "2096-02-29T12:00:00", "UTC"), 3))
    days.push_back(s.substr(0, 10));
  // 2100 is not a leap year: eight years to the next February 29.
  CHECK(days == std::vector<std::string>{"2096-02-29", "2104-02-29", "2108-02-29"});
}

TEST_CASE("a rule that can never match has no next occurrence, and says so quickly") {
  for (const std::string rule :
       {"FREQ=YEARLY;BYMONTHDAY=31;BYMONTH=2", "FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=2",
        "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1",
        "FREQ=YEARLY;INTERVAL=3;BYMONTH=2;BYMONTHDAY=-1;BYDAY=53MO"}) {
    CAPTURE(rule);
    auto parsed = parse_rrule(rule);
    REQUIRE(parsed.has_value());
    const Recurrence r{*parsed, zone("UTC"), local("2026-01-01T09:00:00")};
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(first_after(r, r.anchor, 2).has_value());
    CHECK(std::chrono::steady_clock::now() - started < 2s);
  }
}

TEST_CASE("the series ends at year 9999") {
  const auto r = recurrence("FREQ=YEARLY;INTERVAL=5000", "2026-06-01T09:00:00", "UTC");
  const auto next = first_after(r, r.anchor, 2);
  REQUIRE(next.has_value());
  CHECK(format_local(next->local) == "7026-06-01T09:00:00");
  CHECK_FALSE(first_after(r, next->local, 3).has_value());
}

TEST_CASE("first_after starts from the period holding `after`, keeping the rule's phase") {
  const auto r = recurrence("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "2026-01-06T09:00:00", "UTC");
  // Tuesdays two weeks apart from Jan 6: ..., Dec 8, Dec 22; Dec 15 is off-phase.
  CHECK(format_local(first_after(r, local("2026-12-09T00:00:00"), 99)->local) ==
        "2026-12-22T09:00:00");
  CHECK(first_after(r, local("2026-12-09T00:00:00"), 99)->index == 99);
}

TEST_CASE("due mode: the occurrence after the completed one, however late it was completed") {
  const auto r = recurrence("FREQ=WEEKLY;BYDAY=MO,TH", "2026-01-05T09:00:00");
  const auto first = occurrence_at(r, r.anchor, 1);
  const auto late = instant("2026-01-20T10:00:00Z");
  const auto next = next_occurrence(r, RecurrenceMode::due, first, late);
  REQUIRE(next.has_value());
  CHECK(format_local(next->local) == "2026-01-08T09:00:00");
  CHECK(next->index == 2);
}

TEST_CASE("completion mode: the rule restarts on the day of completion at DTSTART's time") {
  const auto every3 = recurrence("FREQ=DAILY;INTERVAL=3", "2026-01-05T09:00:00");
  const auto first = occurrence_at(every3, every3.anchor, 1);
  // Done two days late, in the evening: three days after that day, at 09:00.
  auto next =
      next_occurrence(every3, RecurrenceMode::completion, first, instant("2026-01-07T19:00:00Z"));
  REQUIRE(next.has_value());
  CHECK(format_local(next->local) == "2026-01-10T09:00:00");
  CHECK(next->index == 2);
  // Done early in the morning of its own day, before its time: still three days later.
  next =
      next_occurrence(every3, RecurrenceMode::completion, first, instant("2026-01-05T06:00:00Z"));
  CHECK(format_local(next->local) == "2026-01-08T09:00:00");
  // The day is the completion's local date: 23:30Z on Jan 6 is already Jan 7 in Berlin.
  next =
      next_occurrence(every3, RecurrenceMode::completion, first, instant("2026-01-06T23:30:00Z"));
  CHECK(format_local(next->local) == "2026-01-10T09:00:00");
}

TEST_CASE("completion mode: weekly means a week after the day it was done") {
  const auto r = recurrence("weekly", "2026-03-03T18:00:00");  // a Tuesday
  const auto first = occurrence_at(r, r.anchor, 1);
  const auto next =
      next_occurrence(r, RecurrenceMode::completion, first, instant("2026-03-05T10:00:00Z"));
  CHECK(format_local(next->local) == "2026-03-12T18:00:00");  // the Thursday after
}

TEST_CASE("completion mode never moves the series backwards: done early, next is after the slot") {
  const auto r = recurrence("FREQ=DAILY", "2026-01-10T09:00:00");
  const auto current = occurrence_at(r, r.anchor, 1);
  const auto next =
      next_occurrence(r, RecurrenceMode::completion, current, instant("2026-01-05T12:00:00Z"));
  CHECK(format_local(next->local) == "2026-01-11T09:00:00");
}

TEST_CASE("completion mode: COUNT counts from DTSTART and UNTIL still ends the series") {
  const auto counted = recurrence("FREQ=DAILY;COUNT=2", "2026-01-05T09:00:00");
  const auto second = occurrence_at(counted, local("2026-01-09T09:00:00"), 2);
  CHECK_FALSE(
      next_occurrence(counted, RecurrenceMode::completion, second, instant("2026-01-09T12:00:00Z"))
          .has_value());
  const auto until = recurrence("FREQ=DAILY;UNTIL=20260110", "2026-01-05T09:00:00");
  const auto first = occurrence_at(until, until.anchor, 1);
  CHECK(next_occurrence(until, RecurrenceMode::completion, first, instant("2026-01-08T12:00:00Z"))
            .has_value());
  CHECK_FALSE(
      next_occurrence(until, RecurrenceMode::completion, first, instant("2026-01-10T12:00:00Z"))
          .has_value());
}
