// Routing a task-events delivery by the payload's event_type: task events are read, other
// types ignored, malformed payloads rejected with a reason naming the field.
#include "reminder/task_event_input.hpp"

#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "task_events.hpp"

using namespace reminder_test;
using reminder::read_task_event_input;

namespace {

tew::CloudEvent fixture(const std::string& name) {
  return tew::parse_structured_event(tew::testing::read_fixture("events/" + name)).value();
}

}  // namespace

TEST_CASE("every task event type of the backend is read as a task event") {
  for (const char* name :
       {"task_created.json", "task_updated.json", "task_completed.json", "task_deleted.json",
        "task_created_raw_payload.json", "task_created_data_as_json_string.json"}) {
    CAPTURE(name);
    const auto input = read_task_event_input(fixture(name));
    REQUIRE(input.has_value());
    REQUIRE(input->event.has_value());
    CHECK(input->event->task_id == "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42");
  }
}

TEST_CASE("other event types on the topic are ignored, not rejected") {
  for (const char* type : {"recurring.trigger", "task.archived", "reminder.due", ""}) {
    CAPTURE(type);
    auto payload = task_event_payload({});
    payload["event_type"] = type;
    const auto input = read_task_event_input(delivered(payload));
    REQUIRE(input.has_value());
    CHECK_FALSE(input->event.has_value());
    CHECK(input->ignored_type == type);
  }
}

TEST_CASE("invalid task events are errors naming what is wrong") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"invalid_task_missing_task_id.json", "task_id"},
      {"invalid_task_data_not_object.json", "data"},
      {"invalid_task_future_schema_version.json", "schema_version"},
      {"invalid_task_id_mismatch.json", "task_data.id"},
      {"invalid_task_bad_due_date.json", "task_data.due_date"},
      {"invalid_task_version_string.json", "task_data.version"}};
  for (const auto& [name, subject] : cases) {
    CAPTURE(name);
    const auto input = read_task_event_input(fixture(name));
    REQUIRE_FALSE(input.has_value());
    CHECK(input.error().subject == subject);
  }
}

TEST_CASE("a payload without a string event_type is an error naming event_type") {
  for (const json& bad : {json::object(), json{{"event_type", 7}}}) {
    auto payload = task_event_payload({});
    payload.erase("event_type");
    payload.update(bad);
    const auto input = read_task_event_input(delivered(payload));
    REQUIRE_FALSE(input.has_value());
    CHECK(input.error().subject == "event_type");
  }
}
