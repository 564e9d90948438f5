// The domain: which notification each event type becomes, and that it is built from the event
// alone, so a redelivery builds it byte for byte again.
#include "notification/notification.hpp"

#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"

namespace {

using tew::CloudEvent;
using tew::parse_rfc3339;
using tew::notification::compose;
using tew::notification::Kind;
using tew::notification::Trigger;

CloudEvent fixture_event(std::string_view name) {
  return tew::parse_structured_event(
             tew::testing::read_fixture(std::string("events/") + std::string(name)))
      .value();
}

Trigger task_trigger(const CloudEvent& event) {
  return tew::parse_task_event(event.payload_json().value()).value();
}

Trigger reminder_trigger(const CloudEvent& event) {
  return tew::parse_reminder_due_event(event.payload_json().value()).value();
}

constexpr std::string_view kTaskId = "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42";

}  // namespace

TEST_CASE("task.created notifies that the task was added and when it is due") {
  const auto event = fixture_event("task_created.json");
  const auto n = compose(task_trigger(event), event, "log");
  CHECK(n.kind == Kind::task_created);
  CHECK(n.user_id == "u-7f3c2a91");
  CHECK(n.task_id == kTaskId);
  CHECK(n.channel == "log");
  CHECK(n.title == "New task: Buy milk & eggs");
  CHECK(n.body == "Buy milk & eggs was added to your tasks. It is due 2026-03-03T17:00:00Z.");
  CHECK(n.created_at == parse_rfc3339("2026-03-02T09:14:05Z").value());
}

TEST_CASE("task.updated notifies the change with the new due date in UTC") {
  const auto event = fixture_event("task_updated.json");
  const auto n = compose(task_trigger(event), event, "log");
  CHECK(n.kind == Kind::task_updated);
  CHECK(n.title == "Task updated: Buy milk & eggs");
  CHECK(n.body == "Buy milk & eggs was changed. It is due 2026-03-04T17:00:00Z.");
  CHECK(n.created_at == parse_rfc3339("2026-03-02T10:20:11Z").value());
}

TEST_CASE("task.completed and task.deleted notify without a due date") {
  const auto completed = fixture_event("task_completed.json");
  const auto c = compose(task_trigger(completed), completed, "log");
  CHECK(c.kind == Kind::task_completed);
  CHECK(c.title == "Task completed: Buy milk & eggs");
  CHECK(c.body == "Buy milk & eggs is done.");

  const auto deleted = fixture_event("task_deleted.json");
  const auto d = compose(task_trigger(deleted), deleted, "log");
  CHECK(d.kind == Kind::task_deleted);
  CHECK(d.title == "Task deleted: Buy milk & eggs");
  CHECK(d.body == "Buy milk & eggs was deleted.");
}

TEST_CASE("reminder.due notifies when the task is due") {
  const auto event = fixture_event("reminder_due.json");
  const auto n = compose(reminder_trigger(event), event, "binding");
  CHECK(n.kind == Kind::reminder_due);
  CHECK(n.user_id == "u-7f3c2a91");
  CHECK(n.task_id == kTaskId);
  CHECK(n.title == "Reminder: Buy milk & eggs");
  CHECK(n.body == "Buy milk & eggs is due 2026-03-03T17:00:00Z.");
  CHECK(n.created_at == parse_rfc3339("2026-03-03T16:30:00.412Z").value());
}

TEST_CASE("a late reminder says so, and one without task data names the task by id") {
  auto event = fixture_event("reminder_due.json");
  auto& data = *event.data;
  data["late"] = true;
  data.erase("task_data");
  data.erase("due_date");
  const auto n = compose(reminder_trigger(event), event, "log");
  CHECK(n.title == "Reminder: Task 5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42");
  CHECK(n.body ==
        "Reminder for Task 5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42. This reminder is late: it was "
        "set for 2026-03-03T16:30:00Z.");
}

TEST_CASE("a task without a title is named by its id") {
  auto event = fixture_event("task_deleted.json");
  (*event.data)["task_data"].erase("title");
  const auto n = compose(task_trigger(event), event, "log");
  CHECK(n.title == "Task deleted: Task 5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42");
}

TEST_CASE("the notification id is derived from event source, id and channel") {
  const auto event = fixture_event("reminder_due.json");
  const auto trigger = reminder_trigger(event);
  const auto log = compose(trigger, event, "log");
  const auto webhook = compose(trigger, event, "webhook");
  CHECK(log.notification_id ==
        tew::derive_id(
            {"reminder-scheduler", "1baf9a5b-61cd-5675-8d53-4d24a6b3931c", "notification", "log"}));
  CHECK(log.notification_id == tew::notification::notification_id(event, "log"));
  CHECK(webhook.notification_id != log.notification_id);

  auto other_source = event;
  other_source.source = "elsewhere";
  CHECK(compose(trigger, other_source, "log").notification_id != log.notification_id);
}

TEST_CASE("composing the same event again gives a byte-identical notification") {
  const auto event = fixture_event("task_created.json");
  const auto first = tew::notification::to_json(compose(task_trigger(event), event, "webhook"));
  const auto again = tew::notification::to_json(compose(task_trigger(event), event, "webhook"));
  CHECK(first.dump() == again.dump());
}

TEST_CASE("created_at is the payload's timestamp when the CloudEvent has no time") {
  auto event = fixture_event("task_created.json");
  event.time.reset();
  const auto n = compose(task_trigger(event), event, "log");
  CHECK(n.created_at == parse_rfc3339("2026-03-02T09:14:05.123456Z").value());
}

TEST_CASE("a notification's JSON has exactly its eight fields") {
  const auto event = fixture_event("reminder_due.json");
  const auto j = tew::notification::to_json(compose(reminder_trigger(event), event, "log"));
  CHECK(j == nlohmann::json{{"notification_id", tew::notification::notification_id(event, "log")},
                            {"user_id", "u-7f3c2a91"},
                            {"task_id", kTaskId},
                            {"kind", "reminder.due"},
                            {"title", "Reminder: Buy milk & eggs"},
                            {"body", "Buy milk & eggs is due 2026-03-03T17:00:00Z."},
                            {"channel", "log"},
                            {"created_at", "2026-03-03T16:30:00.412000Z"}});
}

TEST_CASE("kinds are named as their event_type, and only those five are kinds") {
  for (const auto kind : tew::notification::kAllKinds)
    CHECK(tew::notification::kind_from(tew::notification::to_string(kind)) == kind);
  CHECK(tew::notification::to_string(Kind::reminder_due) == "reminder.due");
  CHECK_FALSE(tew::notification::kind_from("recurring.trigger"));
  CHECK_FALSE(tew::notification::kind_from("TASK.CREATED"));
}
