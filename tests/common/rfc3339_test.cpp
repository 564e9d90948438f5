#include "tew/rfc3339.hpp"

#include <doctest/doctest.h>

#include <chrono>

namespace {

using namespace std::chrono;
using tew::format_rfc3339;
using tew::parse_rfc3339;
using tew::Timestamp;

Timestamp utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int us = 0) {
  return Timestamp{sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s} +
                   microseconds{us}};
}

}  // namespace

TEST_CASE("rfc3339: a UTC timestamp with Z parses to its instant") {
  CHECK(parse_rfc3339("2025-03-14T10:15:30Z").value() == utc(2025, 3, 14, 10, 15, 30));
}

TEST_CASE("rfc3339: offsets are applied to give UTC") {
  CHECK(parse_rfc3339("2025-03-14T11:15:30+01:00").value() == utc(2025, 3, 14, 10, 15, 30));
  CHECK(parse_rfc3339("2025-03-14T05:45:30-04:30").value() == utc(2025, 3, 14, 10, 15, 30));
  CHECK(parse_rfc3339("2025-01-01T00:30:00+01:00").value() == utc(2024, 12, 31, 23, 30));
  CHECK(parse_rfc3339("2025-03-14T10:15:30-00:00").value() == utc(2025, 3, 14, 10, 15, 30));
}

TEST_CASE("rfc3339: lower-case t and z and a space separator are accepted") {
  CHECK(parse_rfc3339("2025-03-14t10:15:30z").value() == utc(2025, 3, 14, 10, 15, 30));
  CHECK(parse_rfc3339("2025-03-14 10:15:30Z").value() == utc(2025, 3, 14, 10, 15, 30));
}

TEST_CASE("rfc3339: fractions are scaled to microseconds and truncated beyond them") {
  CHECK(parse_rfc3339("2025-03-14T10:15:30.5Z").value() == utc(2025, 3, 14, 10, 15, 30, 500000));
  CHECK(parse_rfc3339("2025-03-14T10:15:30.000001Z").value() == utc(2025, 3, 14, 10, 15, 30, 1));
  CHECK(parse_rfc3339("2025-03-14T10:15:30.123456789Z").value() ==
        utc(2025, 3, 14, 10, 15, 30, 123456));
  CHECK(parse_rfc3339("2025-03-14T10:15:30.9999999Z").value() ==
        utc(2025, 3, 14, 10, 15, 30, 999999));
}

TEST_CASE("rfc3339: February 29 exists only in leap years") {
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_rfc3339("2023-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_rfc3339("1900-02-29T00:00:00Z").has_value());
}

TEST_CASE("rfc3339: fields out of range are rejected") {
  for (const auto* text :
       {"2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z", "2025-04-31T00:00:00Z",
        "2025-01-00T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T00:60:00Z",
        "2025-01-01T00:00:61Z", "2025-01-01T00:00:00+24:00", "2025-01-01T00:00:00+01:60"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_rfc3339(text).has_value());
  }
}

TEST_CASE("rfc3339: a leap second is rejected with a message saying so") {
  const auto result = parse_rfc3339("2016-12-31T23:59:60Z");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.find("leap second") != std::string::npos);
}

TEST_CASE("rfc3339: malformed text is rejected") {
  for (const auto* text :
       {"", "2025-03-14", "2025-03-14T10:15:30", "2025-03-14T10:15Z", "2025-3-14T10:15:30Z",
        "25-03-14T10:15:30Z", "2025-03-14T10:15:30.Z", "2025-03-14T10:15:30+0100",
        "2025-03-14T10:15:30+01", "2025-03-14T10:15:30Z ", " 2025-03-14T10:15:30Z",
        "2025-03-14X10:15:30Z", "2025-03-14T10:15:30ZZ", "+2025-03-14T10:15:30Z",
        "2025-03-14T10:15:30,5Z", "１２３４-03-14T10:15:30Z"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_rfc3339(text).has_value());
  }
}

TEST_CASE("rfc3339: the error names the subject it was given") {
  const auto result = parse_rfc3339("yesterday", "task_data.due_date");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().subject == "task_data.due_date");
  CHECK(result.error().kind == tew::ErrorKind::invalid_input);
  CHECK(parse_rfc3339("yesterday").error().subject == "time");
}

TEST_CASE("rfc3339: formatting is canonical UTC with a fraction only when non-zero") {
  CHECK(format_rfc3339(utc(2025, 3, 14, 10, 15, 30)) == "2025-03-14T10:15:30Z");
  CHECK(format_rfc3339(utc(2025, 3, 14, 10, 15, 30, 500000)) == "2025-03-14T10:15:30.500000Z");
  CHECK(format_rfc3339(utc(2025, 3, 14, 10, 15, 30, 1)) == "2025-03-14T10:15:30.000001Z");
  CHECK(format_rfc3339(Timestamp{}) == "1970-01-01T00:00:00Z");
  // Past RFC 3339's four-digit years (only arithmetic reaches them): written out, not clipped.
  CHECK(format_rfc3339(utc(10000, 1, 2, 3, 4, 5, 6)) == "10000-01-02T03:04:05.000006Z");
}

TEST_CASE("rfc3339: instants before 1970 format and parse correctly") {
  const auto t = utc(1969, 12, 31, 23, 59, 59, 250000);
  CHECK(format_rfc3339(t) == "1969-12-31T23:59:59.250000Z");
  CHECK(parse_rfc3339(format_rfc3339(t)).value() == t);
}

TEST_CASE("rfc3339: format then parse gives back the same instant") {
  for (const auto t : {utc(2024, 2, 29, 12), utc(1, 1, 1), utc(9999, 12, 31, 23, 59, 59, 999999),
                       utc(2038, 1, 19, 3, 14, 8, 42)}) {
    CAPTURE(format_rfc3339(t));
    CHECK(parse_rfc3339(format_rfc3339(t)).value() == t);
  }
}

TEST_CASE("rfc3339: a non-canonical timestamp formats to its canonical form") {
  CHECK(format_rfc3339(parse_rfc3339("2025-03-14 11:15:30.120+01:00").value()) ==
        "2025-03-14T10:15:30.120000Z");
}
