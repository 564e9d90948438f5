// The reminder.due event built for a firing: deterministic id, late flag, payload that matches
// docs/events/schemas, and identical bytes for a retry or a takeover.
#include "reminder/reminder_due.hpp"

#include <doctest/doctest.h>

#include "json_schema.hpp"
#include "reminder/reminder_plan.hpp"
#include "task_events.hpp"
#include "tew/event_id.hpp"

using namespace reminder_test;
using namespace std::chrono_literals;
using reminder::reminder_due_request;
using reminder::ReminderTarget;

namespace {

const ReminderTarget kTarget{"pubsub", "reminders", "reminder"};

tew::DueRecord scheduled_record() {
  return reminder::plan_reminder(
             task_event(spec().remind("2026-03-03T16:30:00Z").due("2026-03-03T17:00:00Z")),
             "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", std::nullopt, 900s)
      .value();
}

tew::PublishRequest request_at(const tew::DueRecord& record, const char* attempt, const char* now) {
  const tew::DueFiring firing{record, at(attempt), at(now)};
  return reminder_due_request(firing, kTarget, 60s).value();
}

}  // namespace

TEST_CASE("the id is derived from (task_id, remind_at) and nothing else") {
  const auto id = reminder::reminder_event_id(kTaskId, at("2026-03-03T16:30:00Z"));
  CHECK(id == tew::derive_id({"reminder.due", kTaskId, "2026-03-03T16:30:00Z"}));
  CHECK(id != reminder::reminder_event_id(kTaskId, at("2026-03-03T16:31:00Z")));
  CHECK(id != reminder::reminder_event_id("other", at("2026-03-03T16:30:00Z")));
}

TEST_CASE("a reminder.due is a full CloudEvent on the reminders topic with the scheduling trace") {
  const auto request =
      request_at(scheduled_record(), "2026-03-03T16:30:04Z", "2026-03-03T16:30:04Z");
  CHECK(request.pubsub == "pubsub");
  CHECK(request.topic == "reminders");
  CHECK(request.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const auto& e = request.event;
  CHECK(e.id == reminder::reminder_event_id(kTaskId, at("2026-03-03T16:30:00Z")));
  CHECK(e.type == "reminder.due");
  CHECK(e.source == "reminder");
  CHECK(e.subject == kTaskId);
  CHECK(e.time == at("2026-03-03T16:30:04Z"));
  const auto& data = *e.data;
  CHECK(data.at("event_type") == "reminder.due");
  CHECK(data.at("task_id") == kTaskId);
  CHECK(data.at("user_id") == kUserId);
  CHECK(data.at("remind_at") == "2026-03-03T16:30:00Z");
  CHECK(data.at("due_date") == "2026-03-03T17:00:00Z");
  CHECK(data.at("timestamp") == "2026-03-03T16:30:04Z");
  CHECK(data.at("late") == false);
  CHECK(data.at("task_data").at("title") == "Buy milk");
}

TEST_CASE("what is published validates against the reminder.due and CloudEvent schemas") {
  tew::testing::JsonSchemaValidator validator(tew::testing::event_schema_dir());
  for (const char* attempt : {"2026-03-03T16:30:00Z", "2026-03-03T17:29:00Z"}) {
    const auto request = request_at(scheduled_record(), attempt, attempt);
    const auto doc = tew::to_json(request.event);
    CHECK(validator.validate(*request.event.data, "reminder.due.v1.schema.json").empty());
    CHECK(validator.validate(doc, "cloudevent.v1.schema.json").empty());
    // And our own parser reads it back.
    CHECK(tew::parse_reminder_due_event(*request.event.data).has_value());
  }
}

TEST_CASE("late when the first attempt came more than late_after after remind_at") {
  const auto record = scheduled_record();
  CHECK(request_at(record, "2026-03-03T16:31:00Z", "2026-03-03T16:31:00Z").event.data->at("late") ==
        false);
  const auto late = request_at(record, "2026-03-03T16:31:01Z", "2026-03-03T16:31:01Z");
  CHECK(late.event.data->at("late") == true);
  CHECK(late.event.data->at("metadata").at("lateness_seconds") == 61);
}

TEST_CASE("a retry or a takeover later publishes byte-identical events") {
  const auto record = scheduled_record();
  const auto first = request_at(record, "2026-03-03T16:30:04Z", "2026-03-03T16:30:04Z");
  const auto retry = request_at(record, "2026-03-03T16:30:04Z", "2026-03-03T16:35:00Z");
  CHECK(tew::to_json(first.event).dump() == tew::to_json(retry.event).dump());
}

TEST_CASE("a record whose payload is not the reminder's cannot be published") {
  auto record = scheduled_record();
  record.payload = {{"something", "else"}};
  const tew::DueFiring firing{record, at("2026-03-03T16:30:00Z"), at("2026-03-03T16:30:00Z")};
  const auto request = reminder_due_request(firing, kTarget, 60s);
  REQUIRE_FALSE(request.has_value());
  CHECK(request.error().subject == "payload.user_id");
}
