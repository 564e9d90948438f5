// The real tew-notification binary on a free port against FakeSidecarServer (daprd's HTTP API)
// and a local webhook receiver, with fixture CloudEvents posted as daprd posts them.
#include <doctest/doctest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar_server.hpp"
#include "fixtures.hpp"
#include "http_client.hpp"
#include "json_schema.hpp"
#include "tew/event_id.hpp"
#include "webhook_receiver.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tew::testing::built_binary;
using tew::testing::ChildProcess;
using tew::testing::FakeClock;
using tew::testing::FakeSidecarServer;
using tew::testing::HttpClient;
using tew::testing::read_fixture;
using tew::testing::WebhookReceiver;

constexpr std::string_view kCreatedId = "0f8fad5b-d9cb-469f-a165-70867728950e";

// tew-notification running against the fake sidecar (and the webhook, if given).
class Service {
 public:
  Service(FakeSidecarServer& sidecar, std::map<std::string, std::string> extra)
      : port_(tew::testing::free_port()),
        process_(built_binary("tew-notification"), {}, env(sidecar, std::move(extra))) {
    REQUIRE_MESSAGE(process_.wait_for_output("\"listening\"", 10s), process_.output());
  }

  std::string post(std::string_view route, const std::string& body) {
    HttpClient client(port_);
    const auto res = client.post(std::string(route), body);
    REQUIRE(res.result() == tew::http::status::ok);
    return json::parse(res.body()).at("status").get<std::string>();
  }
  std::string post_fixture(std::string_view route, std::string_view name) {
    return post(route, read_fixture("events/" + std::string(name)));
  }
  tew::testing::Response get(const std::string& target) { return HttpClient(port_).get(target); }
  ChildProcess& process() { return process_; }

 private:
  std::map<std::string, std::string> env(FakeSidecarServer& sidecar,
                                         std::map<std::string, std::string> extra) const {
    std::map<std::string, std::string> e{{"APP_PORT", std::to_string(port_)},
                                         {"DAPR_HTTP_ENDPOINT", sidecar.base_url()},
                                         {"SIDECAR_MAX_ATTEMPTS", "1"},
                                         {"NOTIFY_BINDING", "email"}};
    extra.merge(e);
    return extra;
  }

  std::uint16_t port_;
  ChildProcess process_;
};

std::vector<tew::testing::RecordedRequest> binding_calls(const FakeSidecarServer& sidecar) {
  std::vector<tew::testing::RecordedRequest> calls;
  for (auto& r : sidecar.requests())
    if (r.path == "/v1.0/bindings/email") calls.push_back(std::move(r));
  return calls;
}

std::string channel_of(const tew::testing::PublishedEvent& p) {
  return p.event["data"]["notification"]["channel"].get<std::string>();
}

}  // namespace

TEST_CASE("tew-notification --help lists the service's variables after the common ones") {
  ChildProcess help(built_binary("tew-notification"), {"--help"}, {});
  REQUIRE(help.wait(10s) == 0);
  const auto out = help.output();
  std::size_t last = out.find("APP_PORT");
  CHECK(last != std::string::npos);
  CHECK(out.find("[default: 8081]") != std::string::npos);
  for (const auto* name :
       {"TASK_EVENTS_TOPIC", "REMINDERS_TOPIC", "NOTIFICATIONS_TOPIC", "DEAD_LETTER_TOPIC",
        "NOTIFY_EVENT_TYPES", "NOTIFY_CHANNELS", "WEBHOOK_URL", "WEBHOOK_TIMEOUT_MS",
        "WEBHOOK_POOL_THREADS", "NOTIFY_BINDING", "NOTIFY_BINDING_OPERATION", "NOTIFY_EMAIL_TO",
        "NOTIFY_EMAIL_FROM", "NOTIFY_EMAIL_CC", "NOTIFY_EMAIL_BCC"}) {
    CAPTURE(name);
    const auto at = out.find(std::string("  ") + name + " ");
    CHECK(at != std::string::npos);
    CHECK(at > last);
  }
}

TEST_CASE("tew-notification refuses an unknown NOTIFY_EVENT_TYPES, naming it, with exit 2") {
  ChildProcess bad(
      built_binary("tew-notification"), {},
      {{"NOTIFY_EVENT_TYPES", "task.created,task.exploded"}, {"NOTIFY_CHANNELS", "webhook"}});
  REQUIRE(bad.wait(10s) == 2);
  const auto out = bad.output();
  CHECK(out.find("NOTIFY_EVENT_TYPES: must list only") != std::string::npos);
  CHECK(out.find("\"task.exploded\"") != std::string::npos);
  CHECK(out.find("WEBHOOK_URL: must be set when NOTIFY_CHANNELS includes webhook") !=
        std::string::npos);
}

TEST_CASE("tew-notification subscribes to both topics with the dead-letter topic") {
  FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  Service service(sidecar, {{"TASK_EVENTS_TOPIC", "tasks"}});
  const auto res = service.get("/dapr/subscribe");
  REQUIRE(res.result() == tew::http::status::ok);
  const auto doc = json::parse(res.body());
  REQUIRE(doc.size() == 2);
  CHECK(doc[0]["topic"] == "tasks");
  CHECK(doc[0]["routes"]["default"] == "/events/task-events");
  CHECK(doc[1]["topic"] == "reminders");
  CHECK(doc[1]["routes"]["default"] == "/events/reminders");
  for (const auto& s : doc) {
    CHECK(s["pubsubname"] == "pubsub");
    CHECK(s["deadLetterTopic"] == "notification-dead-letters");
  }
}

TEST_CASE(
    "sample events go out on every channel, notification.sent is published with derived "
    "ids, and a redelivery changes nothing") {
  FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  WebhookReceiver webhook;
  Service service(sidecar, {{"NOTIFY_CHANNELS", "log,webhook,binding"},
                            {"WEBHOOK_URL", webhook.url()},
                            {"NOTIFY_EMAIL_TO", "user@example.com"}});

  CHECK(service.post_fixture("/events/task-events", "task_created.json") == "SUCCESS");
  const auto published = sidecar.published();
  REQUIRE(published.size() == 3);
  for (const auto& p : published) {
    const auto channel = channel_of(p);
    CAPTURE(channel);
    CHECK(p.pubsub == "pubsub");
    CHECK(p.topic == "notifications");
    CHECK(p.content_type == "application/cloudevents+json");
    CHECK(p.event["type"] == "notification.sent");
    CHECK(p.event["source"] == "notification");
    CHECK(p.event["id"] ==
          tew::derive_event_id("task-api", kCreatedId, "notification.sent/" + channel));
    CHECK(p.event["data"]["notification"]["notification_id"] ==
          tew::derive_id({"task-api", kCreatedId, "notification", channel}));
    CHECK(p.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    CHECK(tew::testing::published_event_violations(p.event) == std::vector<std::string>{});
  }

  const auto calls = binding_calls(sidecar);
  REQUIRE(calls.size() == 1);
  const auto binding = json::parse(calls[0].body);
  CHECK(binding["operation"] == "create");
  CHECK(binding["data"]["channel"] == "binding");
  CHECK(binding["data"]["title"] == "New task: Buy milk & eggs");
  CHECK(binding["metadata"] ==
        json{{"emailTo", "user@example.com"}, {"subject", "New task: Buy milk & eggs"}});

  const auto hooks = webhook.requests();
  REQUIRE(hooks.size() == 1);
  CHECK(hooks[0]["Idempotency-Key"] ==
        tew::derive_id({"task-api", kCreatedId, "notification", "webhook"}));
  CHECK(json::parse(hooks[0].body())["kind"] == "task.created");
  CHECK(service.process().output().find("\"msg\":\"notification\"") != std::string::npos);

  CHECK(service.post_fixture("/events/task-events", "task_created.json") == "SUCCESS");
  CHECK(sidecar.published().size() == 3);
  CHECK(binding_calls(sidecar).size() == 1);
  CHECK(webhook.requests().size() == 1);

  service.process().signal(SIGTERM);
  CHECK(service.process().wait(10s) == 0);
}

TEST_CASE(
    "a reminder.due delivered three times is sent once, also after a failure between "
    "channels") {
  FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  WebhookReceiver webhook;
  Service service(sidecar,
                  {{"NOTIFY_CHANNELS", "webhook,binding"}, {"WEBHOOK_URL", webhook.url()}});
  sidecar.fail_next(1, 500, "/v1.0/bindings/");

  CHECK(service.post_fixture("/events/reminders", "reminder_due.json") == "RETRY");
  CHECK(service.post_fixture("/events/reminders", "reminder_due.json") == "SUCCESS");
  CHECK(service.post_fixture("/events/reminders", "reminder_due.json") == "SUCCESS");
  CHECK(webhook.requests().size() == 1);
  CHECK(binding_calls(sidecar).size() == 2);  // the one that failed, then the one that went out
  std::map<std::string, json> by_id;          // the same events again, byte for byte
  for (const auto& p : sidecar.published()) {
    const auto id = p.event["id"].get<std::string>();
    if (by_id.count(id)) CHECK(by_id[id] == p.event);
    by_id.emplace(id, p.event);
  }
  CHECK(by_id.size() == 2);
}

TEST_CASE("an invalid event is DROPped with the field named, and nothing is sent") {
  FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  Service service(sidecar, {{"NOTIFY_CHANNELS", "log,binding"}});
  CHECK(service.post_fixture("/events/task-events", "invalid_task_missing_task_id.json") == "DROP");
  CHECK(service.post_fixture("/events/task-events", "malformed_truncated.json") == "DROP");
  CHECK(sidecar.published().empty());
  CHECK(binding_calls(sidecar).empty());
  CHECK(service.process().wait_for_output("invalid payload: task_id: is required", 5s));
}

TEST_CASE("recurring.trigger on the task topic is acknowledged and ignored") {
  FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  Service service(sidecar, {{"NOTIFY_CHANNELS", "binding"}});
  auto event = json::parse(read_fixture("events/task_created.json"));
  event["data"]["event_type"] = "recurring.trigger";
  CHECK(service.post("/events/task-events", event.dump()) == "SUCCESS");
  CHECK(sidecar.published().empty());
  CHECK(binding_calls(sidecar).empty());
  const auto metrics = service.get("/metrics");
  CHECK(metrics.body().find("tew_ignored_events_total{topic=\"task-events\",event_type=\"recurring."
                            "trigger\"} 1") != std::string::npos);
}
