#include "recurring/local_time.hpp"

#include <doctest/doctest.h>

#include "tew/rfc3339.hpp"

namespace {

using namespace tew::recurring;

const date::time_zone& zone(std::string_view name) {
  return *find_time_zone(name, "tz").value();
}

LocalTime local(std::string_view text) {
  return parse_local(text, "local").value();
}

std::string utc_of(std::string_view local_text, std::string_view tz) {
  return tew::format_rfc3339(to_utc(local(local_text), zone(tz)));
}

tew::Timestamp instant(std::string_view text) {
  return tew::parse_rfc3339(text).value();
}

}  // namespace

TEST_CASE("to_utc: a unique local time takes its offset") {
  CHECK(utc_of("2026-01-15T09:00:00", "Europe/Berlin") == "2026-01-15T08:00:00Z");
  CHECK(utc_of("2026-07-15T09:00:00", "Europe/Berlin") == "2026-07-15T07:00:00Z");
  CHECK(utc_of("2026-07-15T09:00:00", "UTC") == "2026-07-15T09:00:00Z");
}

TEST_CASE("to_utc: a local time in a DST gap is read with the offset before the gap") {
  // 2026-03-29 02:00 → 03:00 in Berlin: 02:00 and 02:59:59 do not exist.
  CHECK(utc_of("2026-03-29T02:00:00", "Europe/Berlin") == "2026-03-29T01:00:00Z");  // 03:00 CEST
  CHECK(utc_of("2026-03-29T02:30:00", "Europe/Berlin") == "2026-03-29T01:30:00Z");  // 03:30 CEST
  CHECK(utc_of("2026-03-29T03:00:00", "Europe/Berlin") == "2026-03-29T01:00:00Z");
  CHECK(utc_of("2026-03-08T02:30:00", "America/New_York") == "2026-03-08T07:30:00Z");
}

TEST_CASE("to_utc: an ambiguous local time is its first occurrence") {
  // 2026-10-25 03:00 CEST → 02:00 CET in Berlin: 02:00 to 02:59:59 happen twice.
  CHECK(utc_of("2026-10-25T02:30:00", "Europe/Berlin") == "2026-10-25T00:30:00Z");
  CHECK(utc_of("2026-10-25T03:00:00", "Europe/Berlin") == "2026-10-25T02:00:00Z");
  CHECK(utc_of("2026-11-01T01:30:00", "America/New_York") == "2026-11-01T05:30:00Z");
}

TEST_CASE("to_utc and to_local agree away from DST changes") {
  const auto t = instant("2026-07-01T12:34:56.789Z");
  for (const auto* name : {"UTC", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"}) {
    CAPTURE(name);
    CHECK(to_utc(to_local(t, zone(name)), zone(name)) == t);
  }
  CHECK(format_local(to_local(t, zone("Asia/Kolkata"))) == "2026-07-01T18:04:56.789000");
}

TEST_CASE("an unknown time zone is an error naming the field, whatever the name") {
  for (const auto* name :
       {"Mars/Olympus_Mons", "", "../../etc/passwd", "europe/berlin", "Europe/Berlin ", "UTC+2"}) {
    CAPTURE(name);
    const auto r = find_time_zone(name, "task_data.timezone");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().subject == "task_data.timezone");
  }
  CHECK(find_time_zone("Etc/UTC", "tz").has_value());
  CHECK_NOTHROW(load_time_zones());
}

TEST_CASE("local wall-clock times are written without an offset and read back") {
  CHECK(format_local(local("2026-03-29T02:30:00")) == "2026-03-29T02:30:00");
  CHECK(format_local(local("2026-03-29T02:30:00.5")) == "2026-03-29T02:30:00.500000");
  for (const auto* bad : {"2026-03-29T02:30:00Z", "2026-03-29T02:30:00+01:00",
                          "2026-03-29T02:30:00-05:00", "2026-02-30T02:30:00", "", "2026-03-29"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_local(bad, "anchor").has_value());
  }
}
