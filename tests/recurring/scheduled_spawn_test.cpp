#include "recurring/scheduled_spawn.hpp"

#include <doctest/doctest.h>

#include "task_events.hpp"
#include "tew/rfc3339.hpp"

namespace {

using namespace std::chrono_literals;
using namespace tew::recurring;
using namespace tew::recurring::testing;
using nlohmann::json;

tew::Timestamp utc(std::string_view text) {
  return tew::parse_rfc3339(text).value();
}

// The series of a task due 2026-03-03 18:00 Berlin (17:00Z) recurring by `rule`, as its
// task.created leaves it; `flag` is its spawn_on_schedule.
Series series_of(std::string_view rule = "daily", bool flag = true, std::string_view mode = "due") {
  auto task = recurring_task("t-1", "2026-03-03T17:00:00Z", rule);
  task["spawn_on_schedule"] = flag;
  task["recurrence_mode"] = mode;
  auto d = decide(std::nullopt, "t-1", series_event("task.created", task, "2026-03-02T09:00:00Z"));
  REQUIRE(d.write.has_value());
  return *d.write;
}

}  // namespace

TEST_CASE("the spawn time is the next occurrence's start minus the look-ahead") {
  const auto s = series_of();
  CHECK(scheduled_spawn_time(s, 24h) == utc("2026-03-03T17:00:00Z"));
  CHECK(scheduled_spawn_time(s, 0s) == utc("2026-03-04T17:00:00Z"));
}

TEST_CASE("no spawn time without the flag, in mode completion, or for a series that is over") {
  CHECK_FALSE(scheduled_spawn_time(series_of("daily", false), 24h).has_value());
  CHECK_FALSE(scheduled_spawn_time(series_of("daily", true, "completion"), 24h).has_value());
  auto s = series_of();
  for (const auto state : {SeriesState::ended, SeriesState::stopped, SeriesState::deleted}) {
    CAPTURE(to_string(state));
    s.state = state;
    CHECK_FALSE(scheduled_spawn_time(s, 24h).has_value());
  }
  CHECK_FALSE(scheduled_spawn_time(series_of("FREQ=DAILY;COUNT=1"), 24h).has_value());
}

TEST_CASE("before its spawn time nothing is decided") {
  const auto d = decide_scheduled(series_of(), utc("2026-03-03T16:59:59Z"), 24h);
  CHECK_FALSE(d.write.has_value());
  CHECK_FALSE(d.spawn.has_value());
  CHECK(d.note == "not before 2026-03-03T17:00:00Z");
  CHECK_FALSE(decide_scheduled(std::nullopt, utc("2026-03-03T17:00:00Z"), 24h).spawn);
  CHECK_FALSE(decide_scheduled(series_of("daily", false), utc("2027-01-01T00:00:00Z"), 24h).spawn);
}

TEST_CASE("at its spawn time the next occurrence is spawned as a completion would spawn it") {
  const auto s = series_of();
  const auto d = decide_scheduled(s, utc("2026-03-03T17:00:00Z"), 24h);
  REQUIRE(d.spawn.has_value());
  REQUIRE(d.write.has_value());
  CHECK(d.spawn->occurrence == *s.next);
  CHECK(d.spawn->task_id == spawned_task_id("t-1", utc("2026-03-04T17:00:00Z")));
  CHECK(d.spawn->completed_task_id.empty());
  CHECK(d.spawn->skipped == 0);
  CHECK(d.write->current_task_id == d.spawn->task_id);
  CHECK(d.write->current == *s.next);
  CHECK(tew::format_rfc3339(d.write->next->start) == "2026-03-05T17:00:00Z");
  CHECK(d.write->skipped_occurrences == 0);

  // The completion of the current task, had it come first, advances to the same occurrence.
  auto by_completion =
      decide(s, "t-1",
             series_event("task.completed", recurring_task("t-1", "2026-03-03T17:00:00Z", "daily"),
                          "2026-03-03T18:00:00Z"));
  REQUIRE(by_completion.spawn.has_value());
  CHECK(by_completion.spawn->task_id == d.spawn->task_id);
  CHECK(by_completion.spawn->occurrence == d.spawn->occurrence);
  // And once advanced, neither path spawns it again.
  CHECK_FALSE(decide_scheduled(*d.write, utc("2026-03-03T17:00:00Z"), 24h).spawn);
  const auto late_completion =
      decide(*d.write, "t-1",
             series_event("task.completed", recurring_task("t-1", "2026-03-03T17:00:00Z", "daily"),
                          "2026-03-03T19:00:00Z"));
  CHECK_FALSE(late_completion.spawn.has_value());
}

TEST_CASE("late, with nothing else begun: the next occurrence is spawned late, none skipped") {
  const auto d = decide_scheduled(series_of(), utc("2026-03-04T20:00:00Z"), 24h);
  REQUIRE(d.spawn.has_value());
  CHECK(tew::format_rfc3339(d.spawn->occurrence.start) == "2026-03-04T17:00:00Z");
  CHECK(d.spawn->skipped == 0);
  CHECK(d.note == "spawned on schedule the occurrence at 2026-03-04T17:00:00Z (late)");
}

TEST_CASE("after downtime the latest occurrence that has begun is spawned, the earlier skipped") {
  auto s = series_of();
  s.skipped_occurrences = 2;  // from an earlier downtime
  const auto d = decide_scheduled(s, utc("2026-03-09T16:59:59Z"), 24h);
  REQUIRE(d.spawn.has_value());
  // Begun: 03-04 … 03-08 (occurrences 2 to 6). Spawned: 6; skipped: 2 to 5.
  CHECK(tew::format_rfc3339(d.spawn->occurrence.start) == "2026-03-08T17:00:00Z");
  CHECK(d.spawn->occurrence.index == 6);
  CHECK(d.spawn->skipped == 4);
  CHECK(d.write->skipped_occurrences == 6);
  CHECK(tew::format_rfc3339(d.write->next->start) == "2026-03-09T17:00:00Z");
  CHECK(d.note ==
        "spawned on schedule the occurrence at 2026-03-08T17:00:00Z (late), skipped 4 earlier "
        "ones");
}

TEST_CASE("occurrences that have not begun are never skipped, however long the look-ahead") {
  const auto d = decide_scheduled(series_of(), utc("2026-03-02T09:00:00Z"), 10 * 24h);
  REQUIRE(d.spawn.has_value());
  CHECK(d.spawn->occurrence.index == 2);
  CHECK(d.spawn->skipped == 0);
}

TEST_CASE("catching up stops at the series' end: COUNT and UNTIL") {
  auto d = decide_scheduled(series_of("FREQ=DAILY;COUNT=4"), utc("2026-03-20T00:00:00Z"), 24h);
  REQUIRE(d.spawn.has_value());
  CHECK(d.spawn->occurrence.index == 4);
  CHECK(d.spawn->skipped == 2);
  CHECK(d.write->state == SeriesState::ended);
  CHECK_FALSE(d.write->next.has_value());
  CHECK_FALSE(decide_scheduled(*d.write, utc("2026-03-20T00:00:00Z"), 24h).spawn);

  d = decide_scheduled(series_of("FREQ=DAILY;UNTIL=20260306"), utc("2026-03-20T00:00:00Z"), 24h);
  REQUIRE(d.spawn.has_value());
  CHECK(tew::format_rfc3339(d.spawn->occurrence.start) == "2026-03-06T17:00:00Z");
  CHECK(d.write->state == SeriesState::ended);
}

TEST_CASE("a backlog longer than the bound is worked off over several firings") {
  const auto now = utc("2060-01-01T00:00:00Z");  // ~34 years of a daily series
  auto d = decide_scheduled(series_of(), now, 24h);
  REQUIRE(d.spawn.has_value());
  CHECK(d.spawn->skipped == kMaxSkippedPerSpawn);
  CHECK(d.spawn->occurrence.index == kMaxSkippedPerSpawn + 2);
  const auto rest = decide_scheduled(*d.write, now, 24h);
  REQUIRE(rest.spawn.has_value());
  CHECK(rest.spawn->occurrence.start <= now);
  CHECK(rest.write->next->start > now);
}
