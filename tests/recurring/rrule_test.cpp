#include "recurring/rrule.hpp"

#include <doctest/doctest.h>

#include <random>

#include "tew/rfc3339.hpp"

namespace {

using namespace tew::recurring;

RRule parsed(std::string_view text) {
  auto r = parse_rrule(text);
  INFO(text);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().describe()));
  return *r;
}

RRule every(Frequency frequency) {
  RRule rule;
  rule.frequency = frequency;
  return rule;
}

// The message of the error for `text`, which must be an error about task_data.recurrence.
std::string error_of(std::string_view text) {
  auto r = parse_rrule(text, "task_data.recurrence");
  INFO(text);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().subject == "task_data.recurrence");
  CHECK(r.error().kind == tew::ErrorKind::invalid_input);
  return r.error().message;
}

}  // namespace

TEST_CASE("the simple words are rules of interval 1, in any case and with surrounding space") {
  CHECK(parsed("daily") == every(Frequency::daily));
  CHECK(parsed("Weekly") == every(Frequency::weekly));
  CHECK(parsed(" MONTHLY\n") == every(Frequency::monthly));
  CHECK(parsed("yearly") == every(Frequency::yearly));
  CHECK(parsed("daily") == parsed("FREQ=DAILY"));
}

TEST_CASE("an RRULE: prefix is optional and names and values match in any case") {
  CHECK(parsed("RRULE:FREQ=WEEKLY;BYDAY=MO,WE") == parsed("FREQ=WEEKLY;BYDAY=MO,WE"));
  CHECK(parsed("rrule:freq=weekly;byday=mo,we") == parsed("FREQ=WEEKLY;BYDAY=MO,WE"));
}

TEST_CASE("every supported part is read into its field") {
  const auto rule = parsed(
      "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR,2MO,+3TU,SU;BYMONTHDAY=1,-1,+15;BYMONTH=1,12;COUNT=10;"
      "WKST=SU");
  CHECK(rule.frequency == Frequency::monthly);
  CHECK(rule.interval == 2);
  CHECK(rule.by_day ==
        std::vector<WeekdayNum>{
            {date::Friday, -1}, {date::Monday, 2}, {date::Tuesday, 3}, {date::Sunday, 0}});
  CHECK(rule.by_month_day == std::vector<int>{1, -1, 15});
  CHECK(rule.by_month == std::vector<int>{1, 12});
  CHECK(rule.count == 10);
  CHECK_FALSE(rule.until.has_value());
  CHECK(rule.week_start == date::Sunday);
}

TEST_CASE("UNTIL is a date or a UTC date-time") {
  const auto by_date = parsed("FREQ=DAILY;UNTIL=19971224");
  REQUIRE(by_date.until.has_value());
  CHECK(std::get<date::year_month_day>(*by_date.until) ==
        date::year_month_day{date::year{1997} / 12 / 24});
  const auto by_time = parsed("FREQ=DAILY;UNTIL=19971224T000000Z");
  REQUIRE(by_time.until.has_value());
  CHECK(std::get<tew::Timestamp>(*by_time.until) ==
        tew::parse_rfc3339("1997-12-24T00:00:00Z").value());
  CHECK(std::get<tew::Timestamp>(*parsed("FREQ=DAILY;UNTIL=20260329T013059Z").until) ==
        tew::parse_rfc3339("2026-03-29T01:30:59Z").value());
}

TEST_CASE("defaults: interval 1, week starts on Monday, no end") {
  const auto rule = parsed("FREQ=YEARLY");
  CHECK(rule.interval == 1);
  CHECK(rule.week_start == date::Monday);
  CHECK_FALSE(rule.count.has_value());
  CHECK_FALSE(rule.until.has_value());
  CHECK(rule.by_day.empty());
}

TEST_CASE("each malformed or unsupported rule is an error naming the part") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "RRULE: "},
      {"   ", "RRULE: "},
      {"RRULE:", "RRULE: "},
      {"hourly", "'HOURLY': "},
      {"every day", "'EVERY DAY': "},
      {"INTERVAL=2", "FREQ: is missing"},
      {"FREQ=HOURLY", "FREQ: 'HOURLY' is not supported"},
      {"FREQ=MINUTELY", "FREQ: "},
      {"FREQ=SECONDLY", "FREQ: "},
      {"FREQ=FORTNIGHTLY", "FREQ: "},
      {"FREQ=DAILY;FREQ=WEEKLY", "FREQ: is given more than once"},
      {"FREQ=DAILY;", "RRULE: has an empty part"},
      {"FREQ=DAILY;;COUNT=2", "RRULE: has an empty part"},
      {";FREQ=DAILY", "RRULE: has an empty part"},
      {"FREQ=", "FREQ: has no value"},
      {"FREQ=DAILY;INTERVAL=0", "INTERVAL: "},
      {"FREQ=DAILY;INTERVAL=-1", "INTERVAL: "},
      {"FREQ=DAILY;INTERVAL=+2", "INTERVAL: "},
      {"FREQ=DAILY;INTERVAL=1.5", "INTERVAL: "},
      {"FREQ=DAILY;INTERVAL=10001", "INTERVAL: "},
      {"FREQ=DAILY;INTERVAL=99999999999999999999", "INTERVAL: "},
      {"FREQ=DAILY;COUNT=0", "COUNT: "},
      {"FREQ=DAILY;COUNT=100001", "COUNT: "},
      {"FREQ=DAILY;COUNT=ten", "COUNT: "},
      {"FREQ=DAILY;COUNT=5;UNTIL=20260101", "UNTIL: must not be given together with COUNT"},
      {"FREQ=DAILY;UNTIL=20260101;COUNT=5", "UNTIL: must not be given together with COUNT"},
      {"FREQ=DAILY;UNTIL=2026-01-01", "UNTIL: "},
      {"FREQ=DAILY;UNTIL=20260230", "UNTIL: '20260230' is not a date in the calendar"},
      {"FREQ=DAILY;UNTIL=20261301", "UNTIL: "},
      {"FREQ=DAILY;UNTIL=20260101T090000", "UNTIL: '20260101T090000' must be in UTC"},
      {"FREQ=DAILY;UNTIL=20260101T250000Z", "UNTIL: "},
      {"FREQ=DAILY;UNTIL=20260101T235960Z", "UNTIL: "},
      {"FREQ=DAILY;UNTIL=20260101X090000Z", "UNTIL: "},
      {"FREQ=DAILY;BYDAY=XX", "BYDAY: "},
      {"FREQ=DAILY;BYDAY=M", "BYDAY: "},
      {"FREQ=DAILY;BYDAY=MO,", "BYDAY: "},
      {"FREQ=MONTHLY;BYDAY=0MO", "BYDAY: "},
      {"FREQ=MONTHLY;BYDAY=54MO", "BYDAY: "},
      {"FREQ=MONTHLY;BYDAY=--1FR", "BYDAY: "},
      {"FREQ=MONTHLY;BYDAY=1 FR", "BYDAY: "},
      {"FREQ=WEEKLY;BYDAY=2MO", "BYDAY: ordinals such as 2MO or -1FR need"},
      {"FREQ=DAILY;BYDAY=-1FR", "BYDAY: ordinals"},
      {"FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY: "},
      {"FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY: "},
      {"FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY: "},
      {"FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY: must not be given with FREQ=WEEKLY"},
      {"FREQ=YEARLY;BYMONTH=13", "BYMONTH: "},
      {"FREQ=YEARLY;BYMONTH=0", "BYMONTH: "},
      {"FREQ=YEARLY;BYMONTH=JAN", "BYMONTH: "},
      {"FREQ=WEEKLY;WKST=XX", "WKST: "},
      {"FREQ=DAILY;BYHOUR=9", "BYHOUR: is not supported"},
      {"FREQ=DAILY;BYMINUTE=0", "BYMINUTE: is not supported"},
      {"FREQ=DAILY;BYSECOND=0", "BYSECOND: is not supported"},
      {"FREQ=YEARLY;BYYEARDAY=100", "BYYEARDAY: is not supported"},
      {"FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO: is not supported"},
      {"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1", "BYSETPOS: is not supported"},
      {"FREQ=DAILY;X-NAME=1", "X-NAME: is not a rule part we know"},
      {"FREQ=DAILY;COUNT", "'COUNT': must be NAME=VALUE"},
      {"FREQ=DAILY; COUNT=2", " COUNT: is not a rule part we know"},
      {"RRULE:RRULE:FREQ=DAILY", "RRULE:FREQ: is not a rule part we know"},
  };
  for (const auto& [text, start] : cases) {
    CAPTURE(text);
    const auto message = error_of(text);
    CAPTURE(message);
    CHECK(message.rfind(start, 0) == 0);
  }
}

TEST_CASE("a huge input is named in the error only in part") {
  const std::string big(100'000, 'Q');
  CHECK(error_of(big).size() < 300);
  CHECK(error_of("FREQ=DAILY;COUNT=" + big).size() < 300);
  CHECK(error_of(big + "=1").size() < 300);
}

TEST_CASE("arbitrary input never throws: it parses or is an error with a message") {
  // A fixed seed: the same strings on every run, built from the rule alphabet and a few bytes
  // that are not, so that most are nearly rules.
  std::mt19937 random(20260329);
  const std::string alphabet = "FREQ=DAILYWKMONTHYBDSUTCINV;,:+-0123456789Z \x01\xff";
  std::uniform_int_distribution<std::size_t> length(0, 40), pick(0, alphabet.size() - 1);
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    for (auto n = length(random); n > 0; --n)
      text += alphabet[pick(random)];
    const auto r = parse_rrule(text);
    if (!r) CHECK_FALSE(r.error().message.empty());
  }
}
