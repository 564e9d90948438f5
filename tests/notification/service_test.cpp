// The handlers as daprd sees them: fixture CloudEvents posted to the app's routes, through the
// pipeline (MemoryDedupStore) to the channels, delivery records in the (fake) state store, and
// the notification.sent / notification.failed publishes. Includes the at-least-once cases:
// redelivery, partial failure, failed publish, two replicas.
#include "notification/service.hpp"

#include <doctest/doctest.h>

#include "captured_log.hpp"
#include "harness.hpp"
#include "json_schema.hpp"
#include "notification/notifier.hpp"
#include "tew/event_id.hpp"
#include "tew/sidecar_dedup_store.hpp"

namespace {

using nlohmann::json;
using tew::Error;
using tew::PublishRequest;
using tew::notification::HttpAnswer;
using tew::notification::Kind;
using tew::notification::kRemindersRoute;
using tew::notification::kTaskEventsRoute;
using tew::notification::testing::config_with;
using tew::notification::testing::fixture_json;
using tew::notification::testing::Harness;
using tew::testing::CapturedLog;
using tew::testing::FakeClock;
using tew::testing::FakeStateStore;
using tew::testing::SidecarCallKind;

constexpr std::string_view kCreatedId = "0f8fad5b-d9cb-469f-a165-70867728950e";
constexpr std::string_view kReminderId = "1baf9a5b-61cd-5675-8d53-4d24a6b3931c";

tew::LogOptions debug_log() {
  return {"notification", tew::LogFormat::json, spdlog::level::debug};
}

std::vector<json> lines_with(CapturedLog& log, std::string_view msg) {
  std::vector<json> found;
  for (const auto& line : log.lines()) {
    auto j = json::parse(line);
    if (j["msg"] == msg) found.push_back(std::move(j));
  }
  return found;
}

std::vector<std::string> types_of(const std::vector<PublishRequest>& published) {
  std::vector<std::string> types;
  for (const auto& p : published)
    types.push_back(p.event.type + "/" +
                    p.event.data->at("notification").at("channel").get<std::string>());
  return types;
}

const PublishRequest* find_published(const std::vector<PublishRequest>& published,
                                     const std::string& id) {
  for (const auto& p : published)
    if (p.event.id == id) return &p;
  return nullptr;
}

Error unavailable(std::string what) {
  return Error::unavailable("POST /v1.0/bindings/email", std::move(what));
}

}  // namespace

TEST_CASE("one subscription per topic, each with the dead-letter topic and no routing rules") {
  Harness h(config_with({"log"}));
  const auto& subs = h.app().subscriptions();
  REQUIRE(subs.size() == 2);
  CHECK(subs[0].pubsub == "pubsub");
  CHECK(subs[0].topic == "task-events");
  CHECK(subs[0].route == kTaskEventsRoute);
  CHECK(subs[1].topic == "reminders");
  CHECK(subs[1].route == kRemindersRoute);
  for (const auto& s : subs) {
    CHECK_FALSE(s.match);
    CHECK(s.dead_letter_topic == "notification-dead-letters");
  }
}

TEST_CASE(
    "task.created goes out on every channel, and notification.sent is published per "
    "channel with a derived id") {
  Harness h(config_with({"log", "webhook", "binding"}));
  CHECK(h.post_fixture(kTaskEventsRoute, "task_created.json") == "SUCCESS");
  CHECK(h.http->posts().size() == 1);
  CHECK(h.sidecar().binding_invocations().size() == 1);

  const auto published = h.sidecar().published();
  CHECK(types_of(published) == std::vector<std::string>{"notification.sent/log",
                                                        "notification.sent/webhook",
                                                        "notification.sent/binding"});
  for (const auto& p : published) {
    const auto channel = p.event.data->at("notification").at("channel").get<std::string>();
    CAPTURE(channel);
    CHECK(p.pubsub == "pubsub");
    CHECK(p.topic == "notifications");
    CHECK(p.event.id ==
          tew::derive_event_id("task-api", kCreatedId, "notification.sent/" + channel));
    CHECK(p.event.source == "notification");
    CHECK(p.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    const auto& data = *p.event.data;
    CHECK(data["schema_version"] == 1);
    CHECK(data["event_type"] == "notification.sent");
    CHECK(data["task_id"] == "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42");
    CHECK(data["user_id"] == "u-7f3c2a91");
    CHECK(data["timestamp"] == "2026-03-02T09:14:05Z");
    CHECK(data["task_data"]["title"] == "Buy milk & eggs");
    CHECK(data["metadata"]["origin"] == "web");
    CHECK(data["cause"] ==
          json{{"source", "task-api"}, {"id", kCreatedId}, {"event_type", "task.created"}});
    CHECK(data["notification"]["notification_id"] ==
          tew::derive_id({"task-api", kCreatedId, "notification", channel}));
    CHECK(data["notification"]["title"] == "New task: Buy milk & eggs");
  }
}

TEST_CASE("a reminder.due delivered three times sends exactly one notification") {
  CapturedLog log(debug_log());
  Harness h(config_with({"log", "webhook", "binding"}));
  for (int i = 0; i < 3; ++i)
    CHECK(h.post_fixture(kRemindersRoute, "reminder_due.json") == "SUCCESS");
  CHECK(lines_with(log, "notification").size() == 1);
  CHECK(h.http->posts().size() == 1);
  CHECK(h.sidecar().binding_invocations().size() == 1);
  CHECK(h.sidecar().published().size() == 3);
}

TEST_CASE("across two replicas that do not share dedup, a reminder.due is sent once per channel") {
  FakeClock clock;
  FakeStateStore shared(clock);
  const auto config = config_with({"webhook", "binding"});
  Harness a(config, &shared);
  Harness b(config, &shared);
  CHECK(a.post_fixture(kRemindersRoute, "reminder_due.json") == "SUCCESS");
  CHECK(b.post_fixture(kRemindersRoute, "reminder_due.json") == "SUCCESS");
  CHECK(a.http->posts().size() + b.http->posts().size() == 1);
  CHECK(a.sidecar().binding_invocations().size() + b.sidecar().binding_invocations().size() == 1);
  // The second replica publishes the same events again, byte for byte: downstream dedup absorbs.
  const auto from_a = a.sidecar().published();
  const auto from_b = b.sidecar().published();
  REQUIRE(from_a.size() == 2);
  REQUIRE(from_b.size() == 2);
  for (std::size_t i = 0; i < 2; ++i)
    CHECK(tew::to_json(from_a[i].event).dump() == tew::to_json(from_b[i].event).dump());
}

TEST_CASE("a redelivery after a partial failure sends nothing twice") {
  CapturedLog log(debug_log());
  Harness h(config_with({"log", "webhook", "binding"}));
  h.sidecar().script_binding("email", unavailable("HTTP 500 ERR_INVOKE_OUTPUT_BINDING: smtp down"));
  CHECK(h.post_fixture(kRemindersRoute, "reminder_due.json") == "RETRY");
  CHECK(types_of(h.sidecar().published()) ==
        std::vector<std::string>{"notification.sent/log", "notification.sent/webhook"});
  const auto first = h.sidecar().published();

  CHECK(h.post_fixture(kRemindersRoute, "reminder_due.json") == "SUCCESS");
  CHECK(lines_with(log, "notification").size() == 1);
  CHECK(h.http->posts().size() == 1);
  CHECK(h.sidecar().binding_invocations().size() ==
        2);  // the failed one, then the one that went out

  const auto all = h.sidecar().published();
  REQUIRE(all.size() == 5);
  const std::vector<PublishRequest> redelivered(all.begin() + 2, all.end());
  CHECK(types_of(redelivered) == std::vector<std::string>{"notification.sent/log",
                                                          "notification.sent/webhook",
                                                          "notification.sent/binding"});
  for (const auto& before : first) {
    const auto* again = find_published(redelivered, before.event.id);
    REQUIRE(again != nullptr);
    CHECK(tew::to_json(again->event).dump() == tew::to_json(before.event).dump());
  }
  const auto retried = lines_with(log, "event will be retried");
  REQUIRE(retried.size() == 1);
  CHECK(retried[0]["reason"].get<std::string>().find("smtp down") != std::string::npos);
}

TEST_CASE("a failed publish answers RETRY, and the redelivery publishes without sending again") {
  Harness h(config_with({"log", "webhook"}));
  h.sidecar().fail_next(SidecarCallKind::publish,
                        Error::unavailable("POST /v1.0/publish/pubsub/notifications", "timed out"));
  CHECK(h.post_fixture(kTaskEventsRoute, "task_completed.json") == "RETRY");
  CHECK(h.sidecar().published().empty());
  CHECK(h.post_fixture(kTaskEventsRoute, "task_completed.json") == "SUCCESS");
  CHECK(h.http->posts().size() == 1);
  CHECK(types_of(h.sidecar().published()) ==
        std::vector<std::string>{"notification.sent/log", "notification.sent/webhook"});
}

TEST_CASE("a webhook 4xx DROPs the event naming the refusal, and publishes notification.failed") {
  CapturedLog log(debug_log());
  Harness h(config_with({"log", "webhook"}));
  h.http->script(HttpAnswer{400, "unknown user"});
  CHECK(h.post_fixture(kTaskEventsRoute, "task_deleted.json") == "DROP");
  const auto published = h.sidecar().published();
  CHECK(types_of(published) ==
        std::vector<std::string>{"notification.sent/log", "notification.failed/webhook"});
  const auto& failed = published[1];
  CHECK(failed.event.id == tew::derive_event_id("task-api", "9b2d3e7a-5f1c-4e8b-a6d0-3c7f1e2b4a59",
                                                "notification.failed/webhook"));
  CHECK(failed.event.type == "notification.failed");
  CHECK((*failed.event.data)["reason"] == "webhook answered HTTP 400: unknown user");
  for (const auto& p : published)
    CHECK(tew::testing::published_event_violations(tew::to_json(p.event)) ==
          std::vector<std::string>{});
  const auto dropped = lines_with(log, "dropping event");
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0]["reason"] == "webhook answered HTTP 400: unknown user");
}

TEST_CASE(
    "a refusal beside a transient failure is retried first, notification.failed comes "
    "only with the DROP") {
  Harness h(config_with({"webhook", "binding"}));
  h.http->script(HttpAnswer{404, ""});
  h.http->script(HttpAnswer{404, ""});
  h.sidecar().script_binding("email", unavailable("connection refused"));
  CHECK(h.post_fixture(kRemindersRoute, "reminder_due.json") == "RETRY");
  CHECK(h.sidecar().published().empty());
  CHECK(h.post_fixture(kRemindersRoute, "reminder_due.json") == "DROP");
  CHECK(h.http->posts().size() == 2);  // a refused channel is tried again
  CHECK(types_of(h.sidecar().published()) ==
        std::vector<std::string>{"notification.failed/webhook", "notification.sent/binding"});
}

TEST_CASE("event types the service does not handle are acknowledged, ignored and counted") {
  Harness h(config_with({"log", "webhook"}));
  auto event = fixture_json("task_created.json");
  event["id"] = "e-recurring";
  event["data"]["event_type"] = "recurring.trigger";
  CHECK(h.post_tasks(event) == "SUCCESS");
  CHECK(h.http->posts().empty());
  CHECK(h.sidecar().published().empty());
  CHECK(h.sidecar().state_writes().empty());
  CHECK(h.metrics.render().find(
            "tew_ignored_events_total{topic=\"task-events\",event_type=\"recurring.trigger\"} 1") !=
        std::string::npos);
}

TEST_CASE("an event type left out of NOTIFY_EVENT_TYPES is acknowledged without a notification") {
  auto config = config_with({"webhook"});
  config.notify = {Kind::reminder_due};
  Harness h(config);
  CHECK(h.post_fixture(kTaskEventsRoute, "task_updated.json") == "SUCCESS");
  CHECK(h.http->posts().empty());
  CHECK(h.post_fixture(kRemindersRoute, "reminder_due.json") == "SUCCESS");
  CHECK(h.http->posts().size() == 1);
}

TEST_CASE("an invalid event of a type that notifies is DROPped naming the field, nothing sent") {
  CapturedLog log(debug_log());
  Harness h(config_with({"log", "webhook"}));
  CHECK(h.post_fixture(kTaskEventsRoute, "invalid_task_missing_task_id.json") == "DROP");
  auto reminder = fixture_json("reminder_due.json");
  reminder["data"].erase("remind_at");
  CHECK(h.post(kRemindersRoute, reminder.dump()) == "DROP");
  CHECK(h.post_fixture(kTaskEventsRoute, "malformed_missing_id.json") == "DROP");
  CHECK(h.http->posts().empty());
  CHECK(h.sidecar().published().empty());
  const auto dropped = lines_with(log, "dropping event");
  REQUIRE(dropped.size() == 3);
  CHECK(dropped[0]["reason"] == "invalid payload: task_id: is required");
  CHECK(dropped[1]["reason"] == "invalid payload: remind_at: is required");
  CHECK(dropped[2]["reason"].get<std::string>().find("id") != std::string::npos);
}

TEST_CASE(
    "delivery records are first-write claims in the state store, keyed by app id and "
    "channel") {
  Harness h(config_with({"binding"}));
  CHECK(h.post_fixture(kTaskEventsRoute, "task_created.json") == "SUCCESS");
  const auto key = tew::notification::delivery_key(
      "notification", tew::parse_structured_event(fixture_json("task_created.json")).value(),
      "binding");
  CHECK(key.consumer == "notification/notify/binding");
  const auto writes = h.sidecar().state_writes();
  REQUIRE(writes.size() == 2);  // the claim, then the record that it was delivered
  for (const auto& w : writes) {
    CHECK(w.key == "dedup|" + key.str());
    CHECK(w.concurrency == tew::Concurrency::first_write);
  }
  CHECK_FALSE(writes[0].etag);
  CHECK(writes[0].value["state"] == "claimed");
  CHECK(writes[1].etag == "1");
  CHECK(writes[1].value["state"] == "done");
}

TEST_CASE("when the delivery record cannot be written, nothing is sent and the event is retried") {
  CapturedLog log(debug_log());
  Harness h(config_with({"log"}));
  h.sidecar().fail_next(SidecarCallKind::save_state,
                        Error::unavailable("POST /v1.0/state/statestore", "timed out"));
  CHECK(h.post_fixture(kTaskEventsRoute, "task_created.json") == "RETRY");
  CHECK(lines_with(log, "notification").empty());
  CHECK(h.sidecar().published().empty());
  CHECK(h.post_fixture(kTaskEventsRoute, "task_created.json") == "SUCCESS");
  CHECK(lines_with(log, "notification").size() == 1);
}

TEST_CASE("a channel another worker is delivering is retried, not sent beside it") {
  Harness h(config_with({"webhook"}));
  tew::SidecarDedupStore other(h.sidecar(), h.clock, "statestore", tew::DedupPolicy{});
  const auto event = tew::parse_structured_event(fixture_json("reminder_due.json")).value();
  const auto key = tew::notification::delivery_key("notification", event, "webhook");
  const auto claim = tew::testing::run_awaitable(other.claim(key));
  REQUIRE(claim.has_value());
  REQUIRE(claim->state == tew::ClaimState::acquired);

  CHECK(h.post_fixture(kRemindersRoute, "reminder_due.json") == "RETRY");
  CHECK(h.http->posts().empty());
  REQUIRE(tew::testing::run_awaitable(other.complete(key, *claim)).has_value());
  CHECK(h.post_fixture(kRemindersRoute, "reminder_due.json") == "SUCCESS");
  CHECK(h.http->posts().empty());  // the other worker delivered it
  CHECK(types_of(h.sidecar().published()) == std::vector<std::string>{"notification.sent/webhook"});
}
