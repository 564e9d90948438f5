#include "recurring/series_event.hpp"

#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "task_events.hpp"

namespace {

using namespace tew::recurring;
using namespace tew::recurring::testing;
using nlohmann::json;

tew::Error error_of(const tew::CloudEvent& e) {
  auto input = parse_recurring_input(e);
  REQUIRE_FALSE(input.has_value());
  CHECK(input.error().kind == tew::ErrorKind::invalid_input);
  return input.error();
}

tew::CloudEvent completed(json task_data) {
  return delivery("e-1", "task.completed", std::move(task_data), "2026-03-03T16:45:00Z");
}

}  // namespace

TEST_CASE("the backend's task.completed fixture reads as a weekly Berlin series, completion mode") {
  const auto e = series_event(
      tew::parse_structured_event(tew::testing::read_fixture("events/task_completed.json"))
          .value());
  CHECK(e.event.event_type == tew::TaskEventType::completed);
  REQUIRE(e.recurrence.has_value());
  CHECK(e.recurrence->rule_text == "weekly");
  CHECK(e.recurrence->rule.frequency == Frequency::weekly);
  CHECK(e.recurrence->timezone == "Europe/Berlin");
  CHECK(e.recurrence->zone->name() == "Europe/Berlin");
  CHECK(e.recurrence->mode == RecurrenceMode::completion);
  CHECK_FALSE(e.recurrence->spawn_on_schedule);
  CHECK_FALSE(e.series_id.has_value());
  CHECK(e.slot() == tew::parse_rfc3339("2026-03-03T17:00:00Z").value());
}

TEST_CASE("event types other than task.* are read as ignored, whatever their payload") {
  for (const auto* type : {"recurring.trigger", "reminder.due", "task.archived", "x"}) {
    CAPTURE(type);
    auto e = delivery("e-1", type, json{{"id", "t-1"}}, "2026-03-03T16:45:00Z");
    (*e.data)["task_data"] = "not even an object";
    const auto input = parse_recurring_input(e);
    REQUIRE(input.has_value());
    REQUIRE(std::holds_alternative<IgnoredEvent>(*input));
    CHECK(std::get<IgnoredEvent>(*input).event_type == type);
  }
}

TEST_CASE("a task without recurrence, or with an empty one, does not recur") {
  CHECK_FALSE(series_event("task.created", recurring_task("t-1", "2026-03-03T17:00:00Z", ""),
                           "2026-03-02T09:00:00Z")
                  .recurrence.has_value());
  auto blank = recurring_task("t-1", "2026-03-03T17:00:00Z", "  ");
  CHECK_FALSE(series_event("task.updated", blank, "2026-03-02T09:00:00Z").recurrence.has_value());
  blank["recurrence"] = nullptr;
  CHECK_FALSE(series_event("task.updated", blank, "2026-03-02T09:00:00Z").recurrence.has_value());
}

TEST_CASE("defaults: time zone UTC, mode due") {
  const auto e =
      series_event("task.created", recurring_task("t-1", "2026-03-03T17:00:00Z", "daily", ""),
                   "2026-03-02T09:00:00Z");
  CHECK(e.recurrence->timezone == "UTC");
  CHECK(e.recurrence->mode == RecurrenceMode::due);
}

TEST_CASE("the series link, slot and index of a spawned task are read") {
  auto task = recurring_task("t-2", "2026-03-11T09:00:00Z", "FREQ=WEEKLY");
  task["parent_task_id"] = "t-1";
  task["occurrence_start"] = "2026-03-10T17:00:00Z";
  task["occurrence_index"] = 2;
  task["spawn_on_schedule"] = true;
  const auto e = series_event("task.updated", task, "2026-03-09T09:00:00Z");
  CHECK(e.series_id == "t-1");
  CHECK(e.slot() == tew::parse_rfc3339("2026-03-10T17:00:00Z").value());
  CHECK(e.occurrence_index == 2);
  CHECK(e.recurrence->spawn_on_schedule);
  task["series_id"] = "s-9";  // series_id wins over parent_task_id
  CHECK(series_event("task.updated", task, "2026-03-09T09:00:00Z").series_id == "s-9");
}

TEST_CASE("each invalid recurring task is an error naming its field") {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"recurrence", "FREQ=HOURLY"}}, "task_data.recurrence"},
      {{{"recurrence", "FREQ=DAILY;COUNT=2;UNTIL=20260101"}}, "task_data.recurrence"},
      {{{"recurrence", "fortnightly"}}, "task_data.recurrence"},
      {{{"recurrence", 7}}, "task_data.recurrence"},
      {{{"timezone", "Mars/Olympus_Mons"}}, "task_data.timezone"},
      {{{"recurrence_mode", "whenever"}}, "task_data.recurrence_mode"},
      {{{"due_date", nullptr}}, "task_data.due_date"},
      {{{"due_date", "tomorrow"}}, "task_data.due_date"},
      {{{"series_id", 5}}, "task_data.series_id"},
      {{{"parent_task_id", ""}}, "task_data.parent_task_id"},
      {{{"occurrence_start", "2026-02-30T09:00:00Z"}}, "task_data.occurrence_start"},
      {{{"occurrence_index", 0}}, "task_data.occurrence_index"},
      {{{"occurrence_index", "2"}}, "task_data.occurrence_index"},
      {{{"spawn_on_schedule", "yes"}}, "task_data.spawn_on_schedule"},
  };
  for (const auto& [change, subject] : cases) {
    CAPTURE(change.dump());
    auto task = recurring_task("t-1", "2026-03-03T17:00:00Z", "weekly");
    task.update(change);
    CHECK(error_of(completed(task)).subject == subject);
  }
}

TEST_CASE("an invalid rule's error names the rule part too") {
  auto task = recurring_task("t-1", "2026-03-03T17:00:00Z", "FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=1");
  CHECK(error_of(completed(task)).describe() ==
        "task_data.recurrence: BYSETPOS: is not supported (supported: FREQ, INTERVAL, COUNT, "
        "UNTIL, BYDAY, BYMONTHDAY, BYMONTH, WKST)");
}

TEST_CASE("a deletion is read whatever its recurrence fields say") {
  auto task = recurring_task("t-1", "2026-03-03T17:00:00Z", "FREQ=HOURLY", "Mars/Olympus_Mons");
  const auto e = series_event("task.deleted", task, "2026-03-05T08:00:00Z");
  CHECK_FALSE(e.recurrence.has_value());
  CHECK(series_event("task.deleted", json{{"id", "t-1"}}, "2026-03-05T08:00:00Z").event.task.id ==
        "t-1");
}

TEST_CASE("the envelope's own errors are reported as parse_task_event reports them") {
  auto e = completed(recurring_task("t-1", "2026-03-03T17:00:00Z", "weekly"));
  (*e.data)["task_id"] = "t-2";
  CHECK(error_of(e).subject == "task_data.id");
  e.data = json::array();
  CHECK(error_of(e).subject == "data");
  e.data = json{{"task_id", "t-1"}};
  CHECK(error_of(e).subject == "event_type");
}
