#include "recurring/trigger.hpp"

#include <doctest/doctest.h>

#include "task_events.hpp"
#include "tew/rfc3339.hpp"
#include "tew/task_event.hpp"

namespace {

using namespace tew::recurring;
using namespace tew::recurring::testing;
using nlohmann::json;

struct Spawned {
  Series series;
  Spawn spawn;
  SeriesEvent cause;
};

Spawned spawn_from(json task) {
  auto cause = series_event("task.completed", std::move(task), "2026-03-03T20:00:00Z");
  auto d = decide(std::nullopt, "t-1", cause);
  REQUIRE(d.spawn.has_value());
  return {*d.write, *d.spawn, cause};
}

}  // namespace

TEST_CASE("recurring.trigger carries the new task in the task event envelope") {
  auto task = recurring_task("t-1", "2026-03-03T17:00:00Z", "FREQ=WEEKLY;BYDAY=TU");
  task["remind_at"] = "2026-03-03T16:30:00Z";
  task["recurrence_mode"] = "due";
  task["priority"] = "high";  // not copied: only what the issue lists, and the reminder distance
  const auto s = spawn_from(task);
  const auto event = trigger_event(s.series, s.spawn, s.cause.event, "recurring");

  const auto task_id = spawned_task_id("t-1", tew::parse_rfc3339("2026-03-10T17:00:00Z").value());
  CHECK(event.id == trigger_event_id("t-1", tew::parse_rfc3339("2026-03-10T17:00:00Z").value()));
  CHECK(event.source == "recurring");
  CHECK(event.type == "recurring.trigger");
  CHECK(event.subject == task_id);
  CHECK(event.time == tew::parse_rfc3339("2026-03-03T20:00:00Z").value());
  CHECK(event.datacontenttype == "application/json");
  CHECK(*event.data == json{{"schema_version", 1},
                            {"event_type", "recurring.trigger"},
                            {"task_id", task_id},
                            {"user_id", kUser},
                            {"timestamp", "2026-03-03T20:00:00Z"},
                            {"series_id", "t-1"},
                            {"parent_task_id", "t-1"},
                            {"completed_task_id", "t-1"},
                            {"occurrence_start", "2026-03-10T17:00:00Z"},
                            {"occurrence_index", 2},
                            {"task_data",
                             {{"id", task_id},
                              {"title", "Water the plants"},
                              {"description", "the ones on the balcony"},
                              {"is_complete", false},
                              {"due_date", "2026-03-10T17:00:00Z"},
                              {"remind_at", "2026-03-10T16:30:00Z"},
                              {"recurrence", "FREQ=WEEKLY;BYDAY=TU"},
                              {"timezone", "Europe/Berlin"},
                              {"recurrence_mode", "due"},
                              {"parent_task_id", "t-1"},
                              {"series_id", "t-1"},
                              {"occurrence_start", "2026-03-10T17:00:00Z"},
                              {"occurrence_index", 2}}},
                            {"metadata", {{"trigger", "completion"}}}});
}

TEST_CASE("the new task reads back as a task of the same series, at the next slot") {
  const auto s = spawn_from(recurring_task("t-1", "2026-03-03T17:00:00Z", "weekly", ""));
  const auto event = trigger_event(s.series, s.spawn, s.cause.event, "recurring");
  const auto task = tew::parse_task(event.data->at("task_data"));
  REQUIRE(task.has_value());
  CHECK(task->timezone == "UTC");
  CHECK(task->recurrence_mode == "due");
  CHECK_FALSE(task->remind_at.has_value());
  // Completing it, as the backend would publish it, continues the same series.
  auto next =
      decide(s.series, "t-1",
             series_event("task.completed", event.data->at("task_data"), "2026-03-10T20:00:00Z"));
  REQUIRE(next.spawn.has_value());
  CHECK(tew::format_rfc3339(next.spawn->occurrence.start) == "2026-03-17T17:00:00Z");
}

TEST_CASE("the same spawn builds the byte-identical event") {
  const auto a = spawn_from(recurring_task("t-1", "2026-03-03T17:00:00Z", "daily"));
  const auto b = spawn_from(recurring_task("t-1", "2026-03-03T17:00:00Z", "daily"));
  CHECK(tew::to_json(trigger_event(a.series, a.spawn, a.cause.event, "recurring")).dump() ==
        tew::to_json(trigger_event(b.series, b.spawn, b.cause.event, "recurring")).dump());
}

TEST_CASE("a scheduled spawn's trigger: its time, metadata.trigger schedule, no completed task") {
  auto task = recurring_task("t-1", "2026-03-03T17:00:00Z", "daily");
  task["spawn_on_schedule"] = true;
  auto d = decide(std::nullopt, "t-1", series_event("task.created", task, "2026-03-02T09:00:00Z"));
  REQUIRE(d.write.has_value());
  Series series = *d.write;
  const auto next = *series.next;
  auto spawn = advance(series, next, "");
  const auto at = tew::parse_rfc3339("2026-03-03T17:00:30Z").value();
  const auto event = scheduled_trigger_event(series, spawn, at, "recurring");
  CHECK(event.id == trigger_event_id("t-1", next.start));
  CHECK(event.time == at);
  CHECK(event.subject == spawned_task_id("t-1", next.start));
  CHECK(event.data->at("timestamp") == "2026-03-03T17:00:30Z");
  CHECK(event.data->at("metadata") == json{{"trigger", "schedule"}});
  CHECK_FALSE(event.data->contains("completed_task_id"));
  CHECK(event.data->at("task_data").at("spawn_on_schedule") == true);
  CHECK(event.data->at("task_data").at("due_date") == "2026-03-04T17:00:00Z");

  spawn.skipped = 3;
  CHECK(scheduled_trigger_event(series, spawn, at, "recurring").data->at("metadata") ==
        json{{"trigger", "schedule"}, {"skipped_occurrences", 3}});
}
