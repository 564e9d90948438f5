// The real tew-recurring binary against the fake sidecar: task events posted as daprd posts
// them, the recurring.trigger it publishes, its idempotency, and DROP of invalid input.
#include <doctest/doctest.h>

#include <memory>

#include "child_process.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar_server.hpp"
#include "fixtures.hpp"
#include "http_client.hpp"
#include "json_schema.hpp"
#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tew::testing::ChildProcess;
using tew::testing::FakeClock;
using tew::testing::FakeSidecarServer;
using tew::testing::HttpClient;

// The task of the fixtures: weekly in Europe/Berlin, due 2026-03-03T17:00:00Z (18:00 local),
// mode completion, completed at 16:45Z the same day: its successor is due a week later, 18:00.
constexpr std::string_view kTask = "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42";
constexpr std::string_view kNextStart = "2026-03-10T17:00:00Z";

json fixture(std::string_view name) {
  return json::parse(tew::testing::read_fixture("events/" + std::string(name)));
}

struct RecurringService {
  RecurringService() {
    sidecar.start();
    process = std::make_unique<ChildProcess>(
        tew::testing::built_binary("tew-recurring"), std::vector<std::string>{},
        std::map<std::string, std::string>{{"APP_PORT", std::to_string(port)},
                                           {"DAPR_HTTP_PORT", std::to_string(sidecar.port())},
                                           {"LOG_FORMAT", "text"},
                                           {"LOG_LEVEL", "debug"}});
    REQUIRE_MESSAGE(process->wait_for_output("listening", 10s), process->output());
  }

  json post(const std::string& body) {
    HttpClient client(port);
    const auto res = client.post("/events/task-events", body);
    REQUIRE(res.result_int() == 200);
    return json::parse(res.body());
  }

  // A cron binding call to the scheduler, with the headers and body daprd sends
  // (tests/fixtures/events/cron_binding_request.json).
  tew::testing::Response tick(std::string_view verb = "POST") {
    const auto call = fixture("cron_binding_request.json");
    tew::testing::http::request<tew::testing::http::string_body> req{
        verb == "OPTIONS" ? tew::testing::http::verb::options : tew::testing::http::verb::post,
        "/recurring-scheduler", 11};
    for (const auto& [name, value] : call.at("headers").items())
      req.set(name, value.get<std::string>());
    req.body() = call.at("body").get<std::string>();
    req.prepare_payload();
    HttpClient client(port);
    return client.send(req);
  }

  std::vector<tew::testing::PublishedEvent> triggers() const {
    std::vector<tew::testing::PublishedEvent> out;
    for (auto& p : sidecar.published())
      if (p.event.value("type", "") == "recurring.trigger") out.push_back(p);
    return out;
  }

  FakeClock clock;
  FakeSidecarServer sidecar{clock};
  std::uint16_t port = tew::testing::free_port();
  std::unique_ptr<ChildProcess> process;
};

// The completed fixture as another event: a new id, type and time, is_complete as given.
std::string variant(std::string_view id, std::string_view type, bool complete,
                    std::string_view timestamp, int version) {
  auto e = fixture("task_completed.json");
  e["id"] = id;
  e["data"]["event_type"] = type;
  e["data"]["timestamp"] = timestamp;
  e["data"]["task_data"]["is_complete"] = complete;
  e["data"]["task_data"]["version"] = version;
  return e.dump();
}

}  // namespace

TEST_CASE("tew-recurring subscribes to task-events with its dead-letter topic") {
  RecurringService s;
  HttpClient client(s.port);
  const auto doc = json::parse(client.get("/dapr/subscribe").body());
  REQUIRE(doc.size() == 1);
  CHECK(doc[0]["pubsubname"] == "pubsub");
  CHECK(doc[0]["topic"] == "task-events");
  CHECK(doc[0]["routes"]["default"] == "/events/task-events");
  CHECK(doc[0]["deadLetterTopic"] == "recurring-dead-letters");
}

TEST_CASE("tew-recurring: a completion publishes one recurring.trigger with the next due date") {
  RecurringService s;
  CHECK(s.post(tew::testing::read_fixture("events/task_completed.json")) ==
        json{{"status", "SUCCESS"}});
  const auto triggers = s.triggers();
  REQUIRE(triggers.size() == 1);
  const auto& t = triggers[0];
  CHECK(t.pubsub == "pubsub");
  CHECK(t.topic == "task-events");
  CHECK(t.content_type == "application/cloudevents+json");
  CHECK(t.traceparent == "00-80e1afed08e019fc1110464cfa66635c-7a085853722dc6d2-01");
  const auto new_id = tew::derive_id({kTask, kNextStart});
  CHECK(t.event["id"] == tew::derive_id({kTask, kNextStart, "recurring.trigger"}));
  CHECK(t.event["source"] == "recurring");
  CHECK(tew::testing::published_event_violations(t.event) == std::vector<std::string>{});
  CHECK(t.event["data"]["task_id"] == new_id);
  CHECK(t.event["data"]["task_data"]["id"] == new_id);
  CHECK(t.event["data"]["task_data"]["due_date"] == kNextStart);
  CHECK(t.event["data"]["task_data"]["remind_at"] == "2026-03-10T16:30:00Z");
  CHECK(t.event["data"]["task_data"]["parent_task_id"] == kTask);
  CHECK(t.event["data"]["task_data"]["is_complete"] == false);
  CHECK(t.event["data"]["task_data"]["title"] == "Buy milk & eggs");
  CHECK(t.event["data"]["task_data"]["recurrence"] == "weekly");
  CHECK(t.event["data"]["task_data"]["recurrence_mode"] == "completion");
  CHECK(t.event["data"]["task_data"]["timezone"] == "Europe/Berlin");
  CHECK(t.event["data"]["user_id"] == "u-7f3c2a91");

  // The series record, in the state store under the service's key.
  const auto series = s.sidecar.state().peek("series|" + std::string(kTask));
  REQUIRE(series.has_value());
  CHECK(series->value["current"]["task_id"] == new_id);
  CHECK(series->first_write);
}

TEST_CASE("tew-recurring: redelivery and complete-reopen-complete still spawn once") {
  RecurringService s;
  const auto body = tew::testing::read_fixture("events/task_completed.json");
  CHECK(s.post(body) == json{{"status", "SUCCESS"}});
  CHECK(s.post(body) == json{{"status", "SUCCESS"}});
  CHECK(s.post(variant("reopen-1", "task.updated", false, "2026-03-03T18:00:00Z", 4)) ==
        json{{"status", "SUCCESS"}});
  CHECK(s.post(variant("complete-2", "task.completed", true, "2026-03-04T09:00:00Z", 5)) ==
        json{{"status", "SUCCESS"}});
  CHECK(s.triggers().size() == 1);

  // Our own trigger, delivered back on task-events, is acknowledged and ignored.
  const auto trigger = s.triggers()[0].event;
  CHECK(s.post(trigger.dump()) == json{{"status", "SUCCESS"}});
  CHECK(s.triggers().size() == 1);
}

TEST_CASE("tew-recurring: an invalid rule is DROPped with a reason naming task_data.recurrence") {
  RecurringService s;
  auto e = fixture("task_completed.json");
  e["data"]["task_data"]["recurrence"] = "FREQ=HOURLY;INTERVAL=2";
  CHECK(s.post(e.dump()) == json{{"status", "DROP"}});
  CHECK(s.process->wait_for_output("task_data.recurrence: FREQ: 'HOURLY' is not supported", 5s));
  e["id"] = "other-id";
  e["data"]["task_data"]["recurrence"] = "weekly";
  e["data"]["task_data"]["timezone"] = "Europe/Atlantis";
  CHECK(s.post(e.dump()) == json{{"status", "DROP"}});
  CHECK(s.process->wait_for_output("task_data.timezone", 5s));
  CHECK(s.triggers().empty());
}

TEST_CASE("tew-recurring answers the scheduler binding's OPTIONS probe") {
  RecurringService s;
  CHECK(s.tick("OPTIONS").result_int() == 200);
}

TEST_CASE("tew-recurring: a scheduler tick spawns a series marked spawn_on_schedule once") {
  RecurringService s;
  // Daily in UTC, due an hour ago: its next occurrence (in 23 h) is inside the default 24 h
  // look-ahead, so the first tick spawns it.
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto due = tew::Timestamp{now - 1h};
  const auto next = due + 24h;
  auto created = fixture("task_created.json");
  auto& task = created["data"]["task_data"];
  task["due_date"] = tew::format_rfc3339(due);
  task.erase("remind_at");
  task["recurrence"] = "daily";
  task["timezone"] = "UTC";
  task["recurrence_mode"] = "due";
  task["spawn_on_schedule"] = true;
  CHECK(s.post(created.dump()) == json{{"status", "SUCCESS"}});
  CHECK(s.triggers().empty());

  const auto first = s.tick();
  CHECK(first.result_int() == 200);
  CHECK(json::parse(first.body()) == json{{"status", "SUCCESS"}});
  const auto triggers = s.triggers();
  REQUIRE(triggers.size() == 1);
  const auto& event = triggers[0].event;
  CHECK(triggers[0].topic == "task-events");
  CHECK(tew::testing::published_event_violations(event) == std::vector<std::string>{});
  CHECK(event["id"] == tew::derive_id({kTask, tew::format_rfc3339(next), "recurring.trigger"}));
  CHECK(event["source"] == "recurring");
  CHECK(event["data"]["metadata"] == json{{"trigger", "schedule"}});
  CHECK(event["data"]["task_id"] == tew::derive_id({kTask, tew::format_rfc3339(next)}));
  CHECK(event["data"]["task_data"]["due_date"] == tew::format_rfc3339(next));
  CHECK(event["data"]["task_data"]["spawn_on_schedule"] == true);
  CHECK_FALSE(event["data"].contains("completed_task_id"));

  // The series is listed again for the occurrence after; another tick spawns nothing.
  const auto listed =
      s.sidecar.state().peek("recurring|series-schedule|record|" + std::string(kTask));
  REQUIRE(listed.has_value());
  CHECK(listed->value["state"] == "scheduled");
  CHECK(listed->value["due"] == tew::format_rfc3339(next));
  CHECK(s.tick().result_int() == 200);
  CHECK(s.triggers().size() == 1);

  // The completion of the task before it, afterwards, spawns nothing either.
  auto completed = created;
  completed["id"] = "completed-1";
  completed["data"]["event_type"] = "task.completed";
  completed["data"]["task_data"]["is_complete"] = true;
  completed["data"]["task_data"]["version"] = 2;
  CHECK(s.post(completed.dump()) == json{{"status", "SUCCESS"}});
  CHECK(s.triggers().size() == 1);
}
