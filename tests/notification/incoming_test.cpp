// Routing by the payload's event_type: what notifies, what is ignored, what is invalid.
#include "notification/incoming.hpp"

#include <doctest/doctest.h>

#include "fixtures.hpp"

namespace {

using tew::CloudEvent;
using tew::notification::Feed;
using tew::notification::Kind;
using tew::notification::read_incoming;

const std::vector<Kind> kEverything{std::begin(tew::notification::kAllKinds),
                                    std::end(tew::notification::kAllKinds)};

CloudEvent fixture_event(std::string_view name) {
  return tew::parse_structured_event(
             tew::testing::read_fixture(std::string("events/") + std::string(name)))
      .value();
}

CloudEvent with_data(std::string_view name, nlohmann::json data) {
  auto event = fixture_event(name);
  event.data = std::move(data);
  return event;
}

std::string error_subject(const CloudEvent& event, Feed feed) {
  const auto in = read_incoming(event, feed, kEverything);
  REQUIRE(in.has_error());
  return in.error().subject;
}

}  // namespace

TEST_CASE("each task event type on the task topic is a trigger") {
  for (const auto* name :
       {"task_created.json", "task_updated.json", "task_completed.json", "task_deleted.json"}) {
    CAPTURE(name);
    const auto in = read_incoming(fixture_event(name), Feed::task_events, kEverything);
    REQUIRE(in.has_value());
    REQUIRE(in->trigger);
    CHECK(std::holds_alternative<tew::TaskEvent>(*in->trigger));
  }
}

TEST_CASE("reminder.due on the reminders topic is a trigger") {
  const auto in = read_incoming(fixture_event("reminder_due.json"), Feed::reminders, kEverything);
  REQUIRE(in.has_value());
  REQUIRE(in->trigger);
  CHECK(std::get<tew::ReminderDueEvent>(*in->trigger).task_id ==
        "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42");
}

TEST_CASE("a raw-payload delivery (data_base64) is read like a structured one") {
  const auto in =
      read_incoming(fixture_event("task_created_raw_payload.json"), Feed::task_events, kEverything);
  REQUIRE(in.has_value());
  CHECK(in->trigger);
}

TEST_CASE("recurring.trigger on the task topic is ignored, not validated") {
  const auto event = with_data("task_created.json", {{"event_type", "recurring.trigger"}});
  const auto in = read_incoming(event, Feed::task_events, kEverything);
  REQUIRE(in.has_value());
  CHECK_FALSE(in->trigger);
  CHECK(in->event_type == "recurring.trigger");
  CHECK_FALSE(in->ignored_because.empty());
}

TEST_CASE("an event type on the other service's topic is ignored") {
  CHECK_FALSE(
      read_incoming(fixture_event("task_created.json"), Feed::reminders, kEverything)->trigger);
  CHECK_FALSE(
      read_incoming(fixture_event("reminder_due.json"), Feed::task_events, kEverything)->trigger);
}

TEST_CASE("a type left out of NOTIFY_EVENT_TYPES is ignored, even when invalid") {
  auto event = fixture_event("task_updated.json");
  (*event.data).erase("task_id");
  const auto in = read_incoming(event, Feed::task_events, {Kind::reminder_due});
  REQUIRE(in.has_value());
  CHECK_FALSE(in->trigger);
  CHECK(in->ignored_because == "not in NOTIFY_EVENT_TYPES");
}

TEST_CASE("an invalid payload of a type that notifies is an error naming the field") {
  CHECK(error_subject(fixture_event("invalid_task_missing_task_id.json"), Feed::task_events) ==
        "task_id");
  CHECK(error_subject(fixture_event("invalid_task_bad_due_date.json"), Feed::task_events) ==
        "task_data.due_date");
  CHECK(error_subject(fixture_event("invalid_task_id_mismatch.json"), Feed::task_events) ==
        "task_data.id");
  CHECK(error_subject(fixture_event("invalid_task_future_schema_version.json"),
                      Feed::task_events) == "schema_version");
  auto reminder = fixture_event("reminder_due.json");
  (*reminder.data).erase("remind_at");
  CHECK(error_subject(reminder, Feed::reminders) == "remind_at");
  (*reminder.data).erase("user_id");
  CHECK(error_subject(reminder, Feed::reminders) == "user_id");
}

TEST_CASE("a payload without a usable event_type is an error naming it") {
  CHECK(error_subject(with_data("task_created.json", {{"task_id", "t"}}), Feed::task_events) ==
        "event_type");
  CHECK(error_subject(with_data("task_created.json", {{"event_type", nullptr}}),
                      Feed::task_events) == "event_type");
  CHECK(error_subject(with_data("task_created.json", {{"event_type", 7}}), Feed::task_events) ==
        "event_type");
}

TEST_CASE("a payload that is not an object, or absent, is an error naming data") {
  CHECK(error_subject(fixture_event("invalid_task_data_not_object.json"), Feed::task_events) ==
        "data");
  auto event = fixture_event("task_created.json");
  event.data.reset();
  CHECK(error_subject(event, Feed::task_events) == "data");
}
