// The real tew-reminder binary against FakeSidecarServer: task events posted as daprd delivers
// them, cron ticks as daprd sends them (OPTIONS, then POST), and what reaches the sidecar:
// reminder.due publishes with derived ids, the schedule's state, idempotent redelivery, DROPs.
#include <doctest/doctest.h>

#include "child_process.hpp"
#include "fake_sidecar_server.hpp"
#include "fixtures.hpp"
#include "http_client.hpp"
#include "json_schema.hpp"
#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using tew::testing::ChildProcess;
using tew::testing::FakeSidecarServer;
using tew::testing::HttpClient;

namespace {

// The cron fixture's route is /reminder-scan: the binding is configured by that name.
constexpr const char* kBinding = "reminder-scan";

std::string rfc3339(std::chrono::system_clock::duration from_now) {
  const auto t = std::chrono::time_point_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now() + from_now);
  return tew::format_rfc3339(tew::Timestamp{t.time_since_epoch()});
}

// A task event as daprd delivers the backend's plain-JSON publish.
std::string delivery(const std::string& id, const std::string& task_id, const json& task_data,
                     const std::string& event_type = "task.created") {
  json data = {{"schema_version", 1},       {"event_type", event_type}, {"task_id", task_id},
               {"user_id", "u-1"},          {"timestamp", rfc3339(0s)}, {"task_data", task_data},
               {"metadata", json::object()}};
  data["task_data"]["id"] = task_id;
  return json{{"specversion", "1.0"},
              {"id", id},
              {"source", "task-api"},
              {"type", "com.dapr.event.sent"},
              {"datacontenttype", "application/json"},
              {"topic", "task-events"},
              {"pubsubname", "pubsub"},
              {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
              {"data", data}}
      .dump();
}

struct Reminder {
  Reminder() {
    sidecar.start();
    process = std::make_unique<ChildProcess>(
        tew::testing::built_binary("tew-reminder"), std::vector<std::string>{},
        std::map<std::string, std::string>{{"APP_PORT", std::to_string(port)},
                                           {"DAPR_HTTP_ENDPOINT", sidecar.base_url()},
                                           {"REMINDER_TICK_BINDING", kBinding},
                                           {"SIDECAR_MAX_ATTEMPTS", "2"},
                                           {"LOG_LEVEL", "debug"}});
    REQUIRE_MESSAGE(process->wait_for_output("\"msg\":\"listening\"", 10s), process->output());
    client = std::make_unique<HttpClient>(port);
  }

  // POSTs a CloudEvent to the subscription's route; returns the status daprd would read.
  std::string deliver(const std::string& body) {
    const auto res = client->post("/events/task-events", body);
    CHECK(res.result_int() == 200);
    return json::parse(res.body()).at("status").get<std::string>();
  }

  // The cron binding call exactly as the fixture records daprd sending it.
  tew::testing::Response tick() {
    const auto call = json::parse(tew::testing::read_fixture("events/cron_binding_request.json"));
    tew::testing::http::request<tew::testing::http::string_body> req{
        tew::testing::http::verb::post, call.at("target").get<std::string>(), 11};
    for (const auto& [name, value] : call.at("headers").items())
      req.set(name, value.get<std::string>());
    req.body() = call.at("body").get<std::string>();
    req.prepare_payload();
    return client->send(req);
  }

  std::vector<tew::testing::PublishedEvent> reminders() const {
    std::vector<tew::testing::PublishedEvent> out;
    for (const auto& p : sidecar.published())
      if (p.topic == "reminders") out.push_back(p);
    return out;
  }

  std::optional<json> record(const std::string& task_id) {
    const auto entry = sidecar.state().peek("reminder|reminders|record|" + task_id);
    if (!entry) return std::nullopt;
    return entry->value;
  }

  tew::SystemClock clock;
  FakeSidecarServer sidecar{clock};
  std::uint16_t port = tew::testing::free_port();
  std::unique_ptr<ChildProcess> process;
  std::unique_ptr<HttpClient> client;
};

}  // namespace

TEST_CASE(
    "tew-reminder subscribes to task-events with a dead-letter topic and starts its binding") {
  Reminder r;
  const auto subscribe = r.client->get("/dapr/subscribe");
  REQUIRE(subscribe.result_int() == 200);
  const auto doc = json::parse(subscribe.body());
  REQUIRE(doc.size() == 1);
  CHECK(doc[0].at("pubsubname") == "pubsub");
  CHECK(doc[0].at("topic") == "task-events");
  CHECK(doc[0].at("routes").at("default") == "/events/task-events");
  CHECK(doc[0].at("deadLetterTopic") == "reminder-dead-letters");

  tew::testing::http::request<tew::testing::http::string_body> options{
      tew::testing::http::verb::options, std::string("/") + kBinding, 11};
  CHECK(r.client->send(options).result_int() == 200);
}

TEST_CASE("a task event schedules its reminder, a cron tick publishes reminder.due once") {
  Reminder r;
  const std::string task = "task-due-now";
  const auto remind_at = rfc3339(-5s);
  CHECK(r.deliver(delivery("evt-1", task, {{"title", "Call Bob"}, {"remind_at", remind_at}})) ==
        "SUCCESS");
  const auto scheduled = r.record(task);
  REQUIRE(scheduled.has_value());
  CHECK(scheduled->at("state") == "scheduled");
  CHECK(scheduled->at("due") == remind_at);

  const auto tick = r.tick();
  CHECK(tick.result_int() == 200);
  CHECK(json::parse(tick.body()) == json{{"status", "SUCCESS"}});
  const auto published = r.reminders();
  REQUIRE(published.size() == 1);
  const auto& event = published[0].event;
  CHECK(published[0].content_type == "application/cloudevents+json");
  CHECK(published[0].traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(event.at("id") == tew::derive_id({"reminder.due", task, remind_at}));
  CHECK(event.at("type") == "reminder.due");
  CHECK(event.at("source") == "reminder");
  CHECK(event.at("data").at("task_id") == task);
  CHECK(event.at("data").at("remind_at") == remind_at);
  CHECK(event.at("data").at("late") == false);
  CHECK(event.at("data").at("task_data").at("title") == "Call Bob");
  tew::testing::JsonSchemaValidator validator(tew::testing::event_schema_dir());
  CHECK(validator.validate(event, "cloudevent.v1.schema.json").empty());
  CHECK(validator.validate(event.at("data"), "reminder.due.v1.schema.json").empty());
  CHECK(r.record(task)->at("state") == "fired");

  CHECK(r.tick().result_int() == 200);
  CHECK(r.reminders().size() == 1);
}

TEST_CASE("a redelivered event is acknowledged without effect, reminders still fire once") {
  Reminder r;
  const auto body = delivery("evt-1", "task-1", {{"remind_at", rfc3339(-1s)}});
  CHECK(r.deliver(body) == "SUCCESS");
  r.tick();
  CHECK(r.deliver(body) == "SUCCESS");
  CHECK(r.deliver(body) == "SUCCESS");
  r.tick();
  CHECK(r.reminders().size() == 1);
  CHECK(r.record("task-1")->at("state") == "fired");
}

TEST_CASE("moving and cancelling reminders through the running service") {
  Reminder r;
  CHECK(r.deliver(delivery("e1", "moved", {{"remind_at", rfc3339(-2s)}, {"version", 1}})) ==
        "SUCCESS");
  CHECK(r.deliver(delivery("e2", "moved", {{"remind_at", rfc3339(3600s)}, {"version", 2}},
                           "task.updated")) == "SUCCESS");
  CHECK(r.deliver(delivery("e3", "done", {{"remind_at", rfc3339(-2s)}, {"version", 1}})) ==
        "SUCCESS");
  CHECK(r.deliver(delivery("e4", "done", {{"version", 2}}, "task.completed")) == "SUCCESS");
  CHECK(r.tick().result_int() == 200);
  CHECK(r.reminders().empty());
  CHECK(r.record("moved")->at("state") == "scheduled");
  CHECK(r.record("done")->at("state") == "cancelled");
}

TEST_CASE("a reminder older than the maximum lateness is recorded missed, not published") {
  Reminder r;
  CHECK(r.deliver(delivery("e1", "long-ago", {{"remind_at", rfc3339(-2h)}})) == "SUCCESS");
  CHECK(r.tick().result_int() == 200);
  CHECK(r.reminders().empty());
  CHECK(r.record("long-ago")->at("state") == "missed");
  CHECK(r.process->output().find("due record missed") != std::string::npos);
}

TEST_CASE("invalid task events are DROPped with the reason, other types are ignored") {
  Reminder r;
  for (const char* name : {"invalid_task_missing_task_id.json", "invalid_task_bad_due_date.json",
                           "malformed_missing_id.json"}) {
    CAPTURE(name);
    const auto status = r.deliver(tew::testing::read_fixture(std::string("events/") + name));
    CHECK(status == "DROP");
  }
  CHECK(r.process->wait_for_output("task_data.due_date", 5s));

  auto trigger = json::parse(delivery("e9", "spawned", {{"remind_at", rfc3339(-1s)}}));
  trigger["data"]["event_type"] = "recurring.trigger";
  CHECK(r.deliver(trigger.dump()) == "SUCCESS");
  CHECK_FALSE(r.record("spawned").has_value());
  CHECK(
      r.client->get("/metrics")
          .body()
          .find(
              R"(tew_ignored_events_total{topic="task-events",event_type="recurring.trigger"} 1)") !=
      std::string::npos);
}

TEST_CASE("a tick the state store fails answers 503, the next tick publishes") {
  Reminder r;
  CHECK(r.deliver(delivery("e1", "task-1", {{"remind_at", rfc3339(-1s)}})) == "SUCCESS");
  r.sidecar.fail_next(2, 500, "/v1.0/state/statestore/bulk");
  CHECK(r.tick().result_int() == 503);
  CHECK(r.reminders().empty());
  CHECK(r.tick().result_int() == 200);
  CHECK(r.reminders().size() == 1);
}
