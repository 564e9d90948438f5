#include "recurring/decide.hpp"

#include <doctest/doctest.h>

#include "task_events.hpp"
#include "tew/rfc3339.hpp"

namespace {

using namespace tew::recurring;
using namespace tew::recurring::testing;
using nlohmann::json;

constexpr std::string_view kRoot = "t-1";

std::string utc(tew::Timestamp t) {
  return tew::format_rfc3339(t);
}

// A series as the store would see it: each decision's write becomes the stored record.
struct Store {
  std::optional<Series> stored;

  Decision apply(std::string_view type, json task_data, std::string_view timestamp,
                 std::string series_id = std::string(kRoot)) {
    auto d = decide(stored, series_id, series_event(type, std::move(task_data), timestamp));
    if (d.spawn) REQUIRE(d.write.has_value());
    if (d.write) stored = d.write;
    return d;
  }
  const Series& series() const { return stored.value(); }
};

// The root task: weekly on Tuesdays 18:00 Berlin from 2026-03-03.
json root(std::string_view rule = "weekly") {
  return recurring_task(kRoot, "2026-03-03T17:00:00Z", rule);
}

// The task spawned for `start` (as the backend echoes it back), with its version.
json spawned(const Spawn& s, std::string_view rule = "weekly") {
  auto task = recurring_task(s.task_id, utc(s.occurrence.start), rule);
  task["parent_task_id"] = kRoot;
  task["series_id"] = kRoot;
  task["occurrence_start"] = utc(s.occurrence.start);
  task["occurrence_index"] = s.occurrence.index;
  return task;
}

json with(json task, std::string_view key, json value) {
  task[std::string(key)] = std::move(value);
  return task;
}

}  // namespace

TEST_CASE("a recurring task.created starts its series at the due date, nothing spawned") {
  Store s;
  const auto d = s.apply("task.created", root(), "2026-03-02T09:00:00Z");
  REQUIRE(d.write.has_value());
  CHECK_FALSE(d.spawn.has_value());
  const auto& series = s.series();
  CHECK(series.id == kRoot);
  CHECK(series.state == SeriesState::active);
  CHECK(format_local(series.anchor) == "2026-03-03T18:00:00");
  CHECK(series.current_task_id == kRoot);
  CHECK(series.current.index == 1);
  REQUIRE(series.next.has_value());
  CHECK(utc(series.next->start) == "2026-03-10T17:00:00Z");
  CHECK(series.task.title == "Water the plants");
  CHECK(series.task.user_id == kUser);
}

TEST_CASE("completing the current occurrence spawns the next, with a derived task id") {
  Store s;
  s.apply("task.created", root(), "2026-03-02T09:00:00Z");
  const auto d = s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  REQUIRE(d.spawn.has_value());
  CHECK(utc(d.spawn->occurrence.start) == "2026-03-10T17:00:00Z");
  CHECK(d.spawn->occurrence.index == 2);
  CHECK(d.spawn->task_id == spawned_task_id(kRoot, d.spawn->occurrence.start));
  CHECK(d.spawn->completed_task_id == kRoot);
  CHECK(s.series().current_task_id == d.spawn->task_id);
  CHECK(utc(s.series().next->start) == "2026-03-17T17:00:00Z");
}

TEST_CASE("a completion is enough to start a series and spawn, without a task.created first") {
  Store s;
  const auto d = s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  REQUIRE(d.spawn.has_value());
  CHECK(utc(d.spawn->occurrence.start) == "2026-03-10T17:00:00Z");
}

TEST_CASE(
    "completing the same occurrence again spawns nothing: redelivered, or reopened and "
    "completed again") {
  Store s;
  s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  const auto after_first = s.series();
  CHECK_FALSE(s.apply("task.completed", root(), "2026-03-03T20:00:00Z").write.has_value());
  auto reopened = with(root(), "is_complete", false);
  CHECK_FALSE(s.apply("task.updated", reopened, "2026-03-04T08:00:00Z").write.has_value());
  const auto again = s.apply("task.completed", root(), "2026-03-04T09:00:00Z");
  CHECK_FALSE(again.write.has_value());
  CHECK(to_json(s.series()) == to_json(after_first));
}

TEST_CASE("each completion of the newest occurrence advances the series by one") {
  Store s;
  auto d = s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  std::vector<std::string> starts;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(d.spawn.has_value());
    starts.push_back(utc(d.spawn->occurrence.start));
    d = s.apply("task.completed", spawned(*d.spawn), "2026-04-01T00:00:00Z");
  }
  CHECK(starts == std::vector<std::string>{"2026-03-10T17:00:00Z", "2026-03-17T17:00:00Z",
                                           "2026-03-24T17:00:00Z"});
  CHECK(s.series().current.index == 5);
}

TEST_CASE("completing an earlier occurrence late spawns nothing once a later one exists") {
  Store s;
  const auto first = s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  s.apply("task.completed", spawned(*first.spawn), "2026-03-10T20:00:00Z");
  const auto late = s.apply("task.completed", spawned(*first.spawn), "2026-03-12T20:00:00Z");
  CHECK_FALSE(late.write.has_value());
}

TEST_CASE("COUNT ends the series: the last occurrence's completion spawns nothing") {
  Store s;
  const auto d = s.apply("task.completed", root("FREQ=DAILY;COUNT=2"), "2026-03-03T20:00:00Z");
  REQUIRE(d.spawn.has_value());
  CHECK(s.series().state == SeriesState::ended);  // its successor would be the third
  const auto last =
      s.apply("task.completed", spawned(*d.spawn, "FREQ=DAILY;COUNT=2"), "2026-03-04T20:00:00Z");
  CHECK_FALSE(last.spawn.has_value());
  CHECK(s.series().state == SeriesState::ended);
}

TEST_CASE("UNTIL ends the series") {
  Store s;
  const auto d =
      s.apply("task.completed", root("FREQ=WEEKLY;UNTIL=20260315"), "2026-03-03T20:00:00Z");
  REQUIRE(d.spawn.has_value());
  const auto last = s.apply("task.completed", spawned(*d.spawn, "FREQ=WEEKLY;UNTIL=20260315"),
                            "2026-03-10T20:00:00Z");
  CHECK_FALSE(last.spawn.has_value());
  CHECK(s.series().state == SeriesState::ended);
}

TEST_CASE("an older event of the current task than the one applied changes nothing") {
  Store s;
  s.apply("task.updated", with(with(root("daily"), "version", 3), "title", "new"),
          "2026-03-02T10:00:00Z");
  const auto stale =
      s.apply("task.updated", with(with(root("weekly"), "version", 2), "title", "old"),
              "2026-03-02T09:00:00Z");
  CHECK_FALSE(stale.write.has_value());
  CHECK(s.series().rule_text == "daily");
  CHECK(s.series().task.title == "new");
  // Equal or newer is applied.
  const auto newer =
      s.apply("task.updated", with(root("weekly"), "version", 4), "2026-03-02T11:00:00Z");
  CHECK(newer.write.has_value());
  CHECK(s.series().rule_text == "weekly");
}

TEST_CASE("a stale completion (older than a reopening already applied) spawns nothing") {
  Store s;
  s.apply("task.updated", with(with(root(), "version", 5), "is_complete", false),
          "2026-03-04T08:00:00Z");
  const auto stale = s.apply("task.completed", with(root(), "version", 4), "2026-03-03T20:00:00Z");
  CHECK_FALSE(stale.write.has_value());
  const auto fresh = s.apply("task.completed", with(root(), "version", 6), "2026-03-04T20:00:00Z");
  CHECK(fresh.spawn.has_value());
}

TEST_CASE("a rule change applies from the current occurrence, COUNT goes on counting") {
  Store s;
  const auto d = s.apply("task.completed", root("FREQ=WEEKLY;COUNT=3"), "2026-03-03T20:00:00Z");
  // On the second occurrence (Tue 2026-03-10) the rule becomes "Mondays and Thursdays".
  const auto changed = s.apply("task.updated", spawned(*d.spawn, "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=3"),
                               "2026-03-05T08:00:00Z");
  REQUIRE(changed.write.has_value());
  CHECK(format_local(s.series().anchor) == "2026-03-10T18:00:00");
  REQUIRE(s.series().next.has_value());
  CHECK(format_local(s.series().next->local) == "2026-03-12T18:00:00");
  CHECK(s.series().next->index == 3);
  const auto third = s.apply("task.completed", spawned(*d.spawn, "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=3"),
                             "2026-03-10T20:00:00Z");
  REQUIRE(third.spawn.has_value());
  CHECK(format_local(third.spawn->occurrence.local) == "2026-03-12T18:00:00");
  CHECK(s.series().state == SeriesState::ended);
}

TEST_CASE("a time zone change keeps the current occurrence's instant and the new zone's clock") {
  Store s;
  s.apply("task.created", root("daily"), "2026-03-02T09:00:00Z");
  s.apply("task.updated",
          recurring_task(kRoot, "2026-03-03T17:00:00Z", "daily", "America/New_York"),
          "2026-03-02T10:00:00Z");
  CHECK(format_local(s.series().anchor) == "2026-03-03T12:00:00");
  CHECK(utc(s.series().next->start) == "2026-03-04T17:00:00Z");
}

TEST_CASE("moving the first task's due date moves DTSTART") {
  Store s;
  s.apply("task.created", root(), "2026-03-02T09:00:00Z");
  s.apply("task.updated", with(root(), "due_date", "2026-03-04T08:00:00Z"), "2026-03-02T10:00:00Z");
  CHECK(format_local(s.series().anchor) == "2026-03-04T09:00:00");
  CHECK(utc(s.series().current.start) == "2026-03-04T08:00:00Z");
  CHECK(utc(s.series().next->start) == "2026-03-11T08:00:00Z");
}

TEST_CASE("moving a spawned task's due date moves that occurrence only") {
  Store s;
  const auto d = s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  s.apply("task.updated", with(spawned(*d.spawn), "due_date", "2026-03-12T08:00:00Z"),
          "2026-03-05T10:00:00Z");
  CHECK(utc(s.series().current.start) == "2026-03-10T17:00:00Z");
  const auto next =
      s.apply("task.completed", with(spawned(*d.spawn), "due_date", "2026-03-12T08:00:00Z"),
              "2026-03-12T09:00:00Z");
  CHECK(utc(next.spawn->occurrence.start) == "2026-03-17T17:00:00Z");
}

TEST_CASE("a later task of the series that we did not know becomes its current occurrence") {
  Store s;
  s.apply("task.created", root(), "2026-03-02T09:00:00Z");
  // The series' write for the root's completion was lost, but its spawn was published and the
  // spawned task already completed: it must still spawn its successor.
  Spawn missed{"t-9",
               {parse_local("2026-03-10T18:00:00", "t").value(),
                tew::parse_rfc3339("2026-03-10T17:00:00Z").value(), 2},
               std::string(kRoot)};
  const auto d = s.apply("task.completed", spawned(missed), "2026-03-10T20:00:00Z");
  REQUIRE(d.spawn.has_value());
  CHECK(utc(d.spawn->occurrence.start) == "2026-03-17T17:00:00Z");
  CHECK(d.spawn->occurrence.index == 3);
}

TEST_CASE("a task with another id but the current occurrence's slot is that occurrence") {
  Store s;
  const auto d = s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  auto renamed = spawned(*d.spawn);
  renamed["id"] = "backend-assigned-id";
  const auto next = s.apply("task.completed", renamed, "2026-03-10T20:00:00Z");
  REQUIRE(next.spawn.has_value());
  CHECK(utc(next.spawn->occurrence.start) == "2026-03-17T17:00:00Z");
  CHECK(next.spawn->completed_task_id == "backend-assigned-id");
}

TEST_CASE("deleting the current task deletes the series for good") {
  Store s;
  s.apply("task.created", root(), "2026-03-02T09:00:00Z");
  const auto d = s.apply("task.deleted", json{{"id", kRoot}}, "2026-03-02T10:00:00Z");
  REQUIRE(d.write.has_value());
  CHECK(s.series().state == SeriesState::deleted);
  CHECK_FALSE(s.apply("task.completed", root(), "2026-03-03T20:00:00Z").write.has_value());
  CHECK_FALSE(s.apply("task.created", root(), "2026-03-02T09:00:00Z").write.has_value());
}

TEST_CASE("deleting an earlier occurrence leaves the series alone") {
  Store s;
  s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  const auto d = s.apply("task.deleted", json{{"id", kRoot}, {"due_date", "2026-03-03T17:00:00Z"}},
                         "2026-03-05T08:00:00Z");
  CHECK_FALSE(d.write.has_value());
  CHECK(s.series().state == SeriesState::active);
}

TEST_CASE("a deletion that arrives before anything else leaves a tombstone for the first task") {
  Store s;
  const auto d = s.apply("task.deleted", json{{"id", kRoot}}, "2026-03-05T08:00:00Z");
  REQUIRE(d.write.has_value());
  CHECK(s.series().state == SeriesState::deleted);
  CHECK_FALSE(s.apply("task.completed", root(), "2026-03-03T20:00:00Z").write.has_value());
  Store other;
  CHECK_FALSE(other.apply("task.deleted", json{{"id", "t-5"}}, "2026-03-05T08:00:00Z", "t-4")
                  .write.has_value());
}

TEST_CASE("removing the recurrence stops the series, adding one again restarts it") {
  Store s;
  s.apply("task.created", root(), "2026-03-02T09:00:00Z");
  s.apply("task.updated", recurring_task(kRoot, "2026-03-03T17:00:00Z", ""),
          "2026-03-02T10:00:00Z");
  CHECK(s.series().state == SeriesState::stopped);
  CHECK_FALSE(s.series().next.has_value());
  const auto none = s.apply("task.completed", recurring_task(kRoot, "2026-03-03T17:00:00Z", ""),
                            "2026-03-03T20:00:00Z");
  CHECK_FALSE(none.spawn.has_value());

  Store again;
  again.apply("task.updated", recurring_task(kRoot, "2026-03-03T17:00:00Z", ""),
              "2026-03-02T10:00:00Z");
  CHECK_FALSE(again.stored.has_value());  // not recurring, no series: nothing to record
  again.apply("task.created", root(), "2026-03-02T09:00:00Z");
  again.apply("task.updated", recurring_task(kRoot, "2026-03-03T17:00:00Z", ""),
              "2026-03-02T10:00:00Z");
  again.apply("task.updated", root("daily"), "2026-03-02T11:00:00Z");
  CHECK(again.series().state == SeriesState::active);
  CHECK(again.apply("task.completed", root("daily"), "2026-03-03T20:00:00Z").spawn.has_value());
}

TEST_CASE("completion mode: the next occurrence counts from the completion day") {
  Store s;
  auto task = with(root("FREQ=DAILY;INTERVAL=3"), "recurrence_mode", "completion");
  const auto d = s.apply("task.completed", task, "2026-03-06T15:00:00Z");
  REQUIRE(d.spawn.has_value());
  CHECK(format_local(d.spawn->occurrence.local) == "2026-03-09T18:00:00");
  CHECK_FALSE(s.series().next.has_value());  // unknown until the completion
}

TEST_CASE("the template follows the current task: title, description, reminder distance") {
  Store s;
  auto task = with(with(root(), "title", "Water the roses"), "remind_at", "2026-03-03T16:30:00Z");
  s.apply("task.completed", task, "2026-03-03T20:00:00Z");
  CHECK(s.series().task.title == "Water the roses");
  CHECK(s.series().task.remind_before_seconds == 1800);
}

TEST_CASE("the backend's echo of a spawned task is recorded, spawning nothing") {
  Store s;
  const auto d = s.apply("task.completed", root(), "2026-03-03T20:00:00Z");
  const auto echo = s.apply("task.created", spawned(*d.spawn), "2026-03-03T20:00:01Z");
  CHECK(echo.write.has_value());
  CHECK_FALSE(echo.spawn.has_value());
  CHECK(s.series().last_change->task_id == d.spawn->task_id);
  CHECK_FALSE(s.apply("task.created", spawned(*d.spawn), "2026-03-03T20:00:01Z").write.has_value());
}

TEST_CASE("advance makes an occurrence current, derives its task and recomputes what follows") {
  Store s;
  s.apply("task.created", root("FREQ=WEEKLY;COUNT=3"), "2026-03-02T09:00:00Z");
  Series series = s.series();
  const auto second = *series.next;
  const auto spawn = advance(series, second, "");
  CHECK(spawn.task_id == spawned_task_id(kRoot, second.start));
  CHECK(spawn.occurrence == second);
  CHECK(spawn.completed_task_id.empty());
  CHECK(series.current == second);
  CHECK(series.current_task_id == spawn.task_id);
  CHECK_FALSE(series.last_change.has_value());
  REQUIRE(series.next.has_value());
  CHECK(utc(series.next->start) == "2026-03-17T17:00:00Z");
  CHECK(series.state == SeriesState::active);
  advance(series, *series.next, "");
  CHECK(series.state == SeriesState::ended);  // COUNT=3 reached
  CHECK_FALSE(series.next.has_value());
}
