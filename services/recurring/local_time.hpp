// Wall-clock time in a task's IANA time zone (Howard Hinnant's date/tz over the system tz
// database): zone lookup, and the conversions between local and UTC that RFC 5545 §3.3.5 asks
// for, where a local time can fall into a DST gap or occur twice.
#pragma once

#include <date/tz.h>

#include <chrono>
#include <string>
#include <string_view>

#include "tew/clock.hpp"
#include "tew/error.hpp"

namespace tew::recurring {

using LocalTime = date::local_time<std::chrono::microseconds>;

// The zone named `name` (e.g. "Europe/Berlin", "UTC"); an unknown name is an error naming
// `subject`. Never throws for a bad name.
Result<const date::time_zone*> find_time_zone(std::string_view name, std::string_view subject);

// Loads the time zone database, so that a missing one stops the service at start instead of
// turning every event into an "unknown time zone". Throws std::runtime_error when it cannot.
void load_time_zones();

// RFC 5545 §3.3.5: a local time in a DST gap is read with the UTC offset before the gap (so
// 02:30 on a spring-forward day at 02:00 becomes 03:30, moved forward by the gap's length); an
// ambiguous local time (a fall-back day) is its first occurrence.
Timestamp to_utc(LocalTime local, const date::time_zone& zone);
LocalTime to_local(Timestamp instant, const date::time_zone& zone);

// "YYYY-MM-DDTHH:MM:SS[.ffffff]" (no offset: a wall-clock time), and back.
std::string format_local(LocalTime local);
Result<LocalTime> parse_local(std::string_view text, std::string_view subject);

}  // namespace tew::recurring
