// The Dapr app contract over real HTTP: a DaprApp served by the HTTP server on an ephemeral
// port of 127.0.0.1, fed the fixtures in tests/fixtures/events/ exactly as daprd delivers them.
#include "tew/dapr_app.hpp"

#include <doctest/doctest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "captured_log.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "fixtures.hpp"
#include "http_client.hpp"
#include "test_server.hpp"
#include "tew/event_id.hpp"
#include "tew/memory_dedup_store.hpp"
#include "tew/sidecar_dedup_store.hpp"
#include "tew/task_event.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using tew::Outcome;
using tew::testing::HttpClient;
using tew::testing::read_fixture;
using tew::testing::Response;

namespace {

constexpr std::string_view kTaskId = "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42";
constexpr auto kBounded = 5000ms;  // longest any test waits for something to happen

enum class Act { succeed, retry, raise, block };

// What a handler's context showed of the delivered event.
struct SeenContext {
  std::string id, source, type, traceparent;
  bool has_data = false;
};

// The task handler: what it does with the events it gets (per event_type, else by default),
// and what it saw. A blocked run waits, without blocking the server's thread, until
// unblock() (or kBounded).
class TaskHandler {
 public:
  void act(Act a) {
    const std::lock_guard lock(mutex_);
    default_act_ = a;
  }
  void act_on(std::string event_type, Act a) {
    const std::lock_guard lock(mutex_);
    by_type_[std::move(event_type)] = a;
  }
  void unblock() { unblocked_ = true; }

  int runs() const { return runs_; }
  std::vector<tew::TaskEvent> handled() const {
    const std::lock_guard lock(mutex_);
    return handled_;
  }
  std::vector<SeenContext> contexts() const {
    const std::lock_guard lock(mutex_);
    return contexts_;
  }
  bool wait_for_runs(int n) const {
    const auto deadline = std::chrono::steady_clock::now() + kBounded;
    while (runs_ < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    return runs_ >= n;
  }

  tew::asio::awaitable<Outcome> operator()(const tew::TaskEvent& event,
                                           const tew::EventContext& ctx) {
    {
      const std::lock_guard lock(mutex_);
      contexts_.push_back({ctx.event.id, ctx.event.source, ctx.event.type, ctx.traceparent(),
                           ctx.event.data.has_value() && !ctx.event.data->is_null()});
    }
    const Act act = begin(event);
    if (act == Act::block) {
      tew::asio::steady_timer timer(co_await tew::asio::this_coro::executor);
      const auto deadline = std::chrono::steady_clock::now() + kBounded;
      while (!unblocked_ && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(1ms);
        co_await timer.async_wait(tew::asio::as_tuple(tew::asio::use_awaitable));
      }
    }
    if (act == Act::raise) throw std::runtime_error("the handler was asked to throw");
    if (act == Act::retry) co_return Outcome::retry("the handler was asked to retry");
    const std::lock_guard lock(mutex_);
    handled_.push_back(event);
    co_return Outcome::success();
  }

 private:
  Act begin(const tew::TaskEvent& event) {
    ++runs_;
    const std::lock_guard lock(mutex_);
    const auto it = by_type_.find(std::string(to_string(event.event_type)));
    return it != by_type_.end() ? it->second : default_act_;
  }

  mutable std::mutex mutex_;
  std::vector<SeenContext> contexts_;
  Act default_act_ = Act::succeed;
  std::map<std::string, Act> by_type_;
  std::vector<tew::TaskEvent> handled_;
  std::atomic<int> runs_{0};
  std::atomic<bool> unblocked_{false};
};

// What the cron binding handler saw; it fails when told to.
class CronHandler {
 public:
  void fail() { fail_ = true; }
  int calls() const { return calls_; }
  std::string last_read_time() const {
    const std::lock_guard lock(mutex_);
    return read_time_;
  }

  tew::asio::awaitable<Outcome> operator()(const tew::BindingCall& call) {
    ++calls_;
    {
      const std::lock_guard lock(mutex_);
      read_time_ = std::string(call.request["readTimeUTC"]);
    }
    if (fail_) throw std::runtime_error("scan failed");
    co_return Outcome::success();
  }

 private:
  mutable std::mutex mutex_;
  std::string read_time_;
  std::atomic<int> calls_{0};
  std::atomic<bool> fail_{false};
};

tew::Result<tew::TaskEvent> parse_task(tew::CloudEvent&& event) {
  auto data = std::move(event).payload_json();
  if (!data) return data.error();
  return tew::parse_task_event(std::move(*data));
}

const tew::DedupPolicy kPolicy{30s, 1h};

struct ServedAppOptions {
  std::string_view dedup = "memory";  // "memory" or "state" (SidecarDedupStore over the fake)
  std::string api_token{};
  bool started = true;
};

// A DaprApp as a service wires it (task events, raw task events, reminders with a rule, a
// cron binding), served on an ephemeral port. Members in the order they depend on each other.
struct ServedApp {
  explicit ServedApp(ServedAppOptions options = {})
      : dedup(make_dedup(options.dedup)),
        app({*dedup, sidecar, metrics, clock}, {"tasks-app", "", options.api_token}) {
    const auto handle_task = [this](const tew::TaskEvent& e, const tew::EventContext& ctx) {
      return tasks(e, ctx);
    };
    const auto acknowledge = [](const tew::EventContext&) -> tew::asio::awaitable<Outcome> {
      co_return Outcome::success();
    };
    app.on_topic<tew::TaskEvent>({"taskpubsub",
                                  "task-events",
                                  "/events/tasks",
                                  std::nullopt,
                                  "task-events-dead",
                                  {},
                                  {true, 10, 100}},
                                 parse_task, handle_task);
    app.on_topic<tew::TaskEvent>({"taskpubsub",
                                  "raw-tasks",
                                  "/events/raw-tasks",
                                  std::nullopt,
                                  "raw-tasks-dead",
                                  {{"rawPayload", "true"}},
                                  {}},
                                 parse_task, handle_task);
    app.on_topic({"taskpubsub",
                  "reminders",
                  "/events/reminders/due",
                  R"(event.type == "reminder.due")",
                  "reminders-dead",
                  {},
                  {}},
                 acknowledge);
    app.on_topic(
        {"taskpubsub", "reminders", "/events/reminders", std::nullopt, "reminders-dead", {}, {}},
        acknowledge);
    app.on_binding({"reminder-scan", ""},
                   [this](const tew::BindingCall& call) { return cron(call); });
    if (options.started) app.mark_started();
    server.emplace([this](tew::HttpRequest& req) { return app.handle(req); });
  }

  std::unique_ptr<tew::DedupStore> make_dedup(std::string_view backend) {
    if (backend == "state")
      return std::make_unique<tew::SidecarDedupStore>(sidecar, clock, "statestore", kPolicy);
    return std::make_unique<tew::MemoryDedupStore>(clock, kPolicy, 1000);
  }

  std::uint16_t port() const { return server->port(); }
  std::string metrics_text() const { return HttpClient(port()).get("/metrics").body(); }

  tew::testing::FakeClock clock;
  tew::testing::FakeSidecar sidecar{clock};
  tew::Metrics metrics;
  TaskHandler tasks;
  CronHandler cron;
  std::unique_ptr<tew::DedupStore> dedup;
  tew::DaprApp app;
  std::optional<tew::testing::TestServer> server;  // last: stopped before what it calls into
};

Response deliver(HttpClient& client, const std::string& route, std::string body,
                 tew::testing::Headers headers = {}) {
  return client.post(route, std::move(body), "application/cloudevents+json", headers);
}

// daprd's reading of a topic delivery's answer: HTTP 200 with {"status": ...}.
std::string status_of(const Response& res) {
  REQUIRE(res.result() == tew::http::status::ok);
  CHECK(res[tew::http::field::content_type] == "application/json");
  return json::parse(res.body()).at("status").get<std::string>();
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

constexpr std::array<const char*, 2> kDedupBackends{"memory", "state"};

}  // namespace

TEST_CASE("a structured task event is handled and answered SUCCESS") {
  ServedApp served;
  HttpClient client(served.port());
  CHECK(status_of(deliver(client, "/events/tasks", read_fixture("events/task_created.json"))) ==
        "SUCCESS");
  const auto handled = served.tasks.handled();
  REQUIRE(handled.size() == 1);
  CHECK(handled[0].event_type == tew::TaskEventType::created);
  CHECK(handled[0].task_id == kTaskId);
  CHECK(handled[0].task.title == "Buy milk & eggs");
}

TEST_CASE("a typed parse takes the event's data, and the handler's context keeps its attributes") {
  ServedApp served;
  HttpClient client(served.port());
  const auto body = read_fixture("events/task_created.json");
  const auto sent = json::parse(body);
  CHECK(status_of(deliver(client, "/events/tasks", body)) == "SUCCESS");
  const auto seen = served.tasks.contexts();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].id == sent.at("id"));
  CHECK(seen[0].source == sent.at("source"));
  CHECK(seen[0].type == sent.at("type"));
  CHECK(seen[0].traceparent == sent.at("traceparent"));
  // parse_task moved the data out (std::move(event).payload_json()): nothing was copied.
  CHECK_FALSE(seen[0].has_data);
  REQUIRE(served.tasks.handled().size() == 1);
  CHECK(served.tasks.handled()[0].task.title == "Buy milk & eggs");
}

TEST_CASE("a raw-payload event (data_base64) reaches the handler as the task event it holds") {
  ServedApp served;
  HttpClient client(served.port());
  CHECK(status_of(deliver(client, "/events/raw-tasks",
                          read_fixture("events/task_created_raw_payload.json"))) == "SUCCESS");
  const auto handled = served.tasks.handled();
  REQUIRE(handled.size() == 1);
  CHECK(handled[0].task_id == kTaskId);
  CHECK(handled[0].task.description == "2% milk <organic>");
}

TEST_CASE("an event whose data is a JSON string is handled as the task event in the string") {
  ServedApp served;
  HttpClient client(served.port());
  CHECK(status_of(deliver(client, "/events/tasks",
                          read_fixture("events/task_created_data_as_json_string.json"))) ==
        "SUCCESS");
  const auto handled = served.tasks.handled();
  REQUIRE(handled.size() == 1);
  CHECK(handled[0].task_id == kTaskId);
}

TEST_CASE("an event posted in binary mode (ce-* headers) is handled") {
  ServedApp served;
  HttpClient client(served.port());
  const auto doc = json::parse(read_fixture("events/task_created.json"));
  const auto res = client.post("/events/tasks", doc.at("data").dump(), "application/json",
                               {{"ce-specversion", "1.0"},
                                {"ce-id", "binary-1"},
                                {"ce-source", "task-api"},
                                {"ce-type", "com.dapr.event.sent"}});
  CHECK(status_of(res) == "SUCCESS");
  REQUIRE(served.tasks.handled().size() == 1);
}

TEST_CASE("a bulk delivery is answered per entry, an entry that fails does not fail the others") {
  ServedApp served;
  served.tasks.act_on("task.completed", Act::retry);
  HttpClient client(served.port());
  const auto res = client.post("/events/tasks", read_fixture("events/bulk_task_events.json"),
                               "application/json");
  REQUIRE(res.result() == tew::http::status::ok);
  CHECK(json::parse(res.body()) == json::parse(R"({"statuses":[
          {"entryId":"8d1c2b3a-4e5f-4a6b-9c7d-0e1f2a3b4c5d","status":"SUCCESS"},
          {"entryId":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e","status":"RETRY"}]})"));
  CHECK(served.tasks.runs() == 2);

  // The redelivery of the bulk runs only the entry that failed.
  served.tasks.act_on("task.completed", Act::succeed);
  const auto again = client.post("/events/tasks", read_fixture("events/bulk_task_events.json"),
                                 "application/json");
  CHECK(json::parse(again.body())["statuses"][1]["status"] == "SUCCESS");
  CHECK(served.tasks.runs() == 3);
  CHECK(served.tasks.handled().size() == 2);
}

TEST_CASE("a malformed entry of a bulk delivery is DROPped alone") {
  ServedApp served;
  auto bulk = json::parse(read_fixture("events/bulk_task_events.json"));
  bulk["entries"][0]["event"].erase("id");
  HttpClient client(served.port());
  const auto res = client.post("/events/tasks", bulk.dump(), "application/json");
  const auto statuses = json::parse(res.body()).at("statuses");
  REQUIRE(statuses.size() == 2);
  CHECK(statuses[0]["status"] == "DROP");
  CHECK(statuses[1]["status"] == "SUCCESS");
  CHECK(served.tasks.runs() == 1);
}

TEST_CASE("the cron binding answers daprd's OPTIONS probe and handles its POST") {
  ServedApp served;
  const auto call = json::parse(read_fixture("events/cron_binding_request.json"));
  const std::string target = call.at("target");
  HttpClient client(served.port());

  tew::http::request<tew::http::string_body> probe{tew::http::verb::options, target, 11};
  CHECK(client.send(probe).result() == tew::http::status::ok);
  CHECK(served.cron.calls() == 0);

  tew::http::request<tew::http::string_body> tick{tew::http::verb::post, target, 11};
  for (const auto& [name, value] : call.at("headers").items())
    tick.set(name, value.get<std::string>());
  tick.body() = call.at("body").get<std::string>();
  const auto res = client.send(tick);
  CHECK(res.result() == tew::http::status::ok);
  CHECK(json::parse(res.body()) == json{{"status", "SUCCESS"}});
  CHECK(served.cron.calls() == 1);
  CHECK(served.cron.last_read_time() == "2026-03-03 16:30:00.004211953 +0000 UTC");
  CHECK(has_line(served.metrics_text(),
                 R"(tew_bindings_total{binding="reminder-scan",outcome="success"} 1)"));
}

TEST_CASE("a cron call whose handler throws is answered 503, so daprd may retry it") {
  ServedApp served;
  served.cron.fail();
  HttpClient client(served.port());
  const auto res = client.post("/reminder-scan", "", "application/json");
  CHECK(res.result() == tew::http::status::service_unavailable);
  CHECK(res.body().find("scan failed") != std::string::npos);
  CHECK(has_line(served.metrics_text(),
                 R"(tew_bindings_total{binding="reminder-scan",outcome="retry"} 1)"));
}

TEST_CASE("GET /dapr/subscribe lists every subscription in Dapr's v2 shape") {
  ServedApp served;
  HttpClient client(served.port());
  const auto res = client.get("/dapr/subscribe");
  REQUIRE(res.result() == tew::http::status::ok);
  CHECK(res[tew::http::field::content_type] == "application/json");
  CHECK(json::parse(res.body()) == json::parse(R"([
    {"pubsubname":"taskpubsub","topic":"task-events","routes":{"default":"/events/tasks"},
     "deadLetterTopic":"task-events-dead",
     "bulkSubscribe":{"enabled":true,"maxMessagesCount":10,"maxAwaitDurationMs":100}},
    {"pubsubname":"taskpubsub","topic":"raw-tasks","routes":{"default":"/events/raw-tasks"},
     "deadLetterTopic":"raw-tasks-dead","metadata":{"rawPayload":"true"}},
    {"pubsubname":"taskpubsub","topic":"reminders",
     "routes":{"rules":[{"match":"event.type == \"reminder.due\"","path":"/events/reminders/due"}],
               "default":"/events/reminders"},
     "deadLetterTopic":"reminders-dead"}])"));
}

TEST_CASE("an unknown route is 404, and a topic route answers only POST") {
  ServedApp served;
  HttpClient client(served.port());
  CHECK(deliver(client, "/events/nope", read_fixture("events/task_created.json")).result() ==
        tew::http::status::not_found);
  CHECK(client.get("/events/tasks").result() == tew::http::status::method_not_allowed);
  CHECK(client.get("/events/tasks?x=1").result() == tew::http::status::method_not_allowed);
  CHECK(served.tasks.runs() == 0);
}

TEST_CASE("with APP_API_TOKEN set, a call without the token or with a wrong one is 401") {
  ServedApp served({.api_token = "s3cret-token"});
  HttpClient client(served.port());
  const auto event = read_fixture("events/task_created.json");
  CHECK(deliver(client, "/events/tasks", event).result() == tew::http::status::unauthorized);
  CHECK(deliver(client, "/events/tasks", event, {{"dapr-api-token", "s3cret-tokeN"}}).result() ==
        tew::http::status::unauthorized);
  CHECK(deliver(client, "/events/tasks", event, {{"dapr-api-token", "s3cret-token-"}}).result() ==
        tew::http::status::unauthorized);
  CHECK(deliver(client, "/events/tasks", event, {{"dapr-api-token", ""}}).result() ==
        tew::http::status::unauthorized);
  CHECK(client.get("/dapr/subscribe").result() == tew::http::status::unauthorized);
  CHECK(client.get("/metrics").result() == tew::http::status::unauthorized);
  CHECK(client.post("/reminder-scan", "", "application/json").result() ==
        tew::http::status::unauthorized);
  CHECK(served.tasks.runs() == 0);
  CHECK(served.cron.calls() == 0);
}

TEST_CASE("with APP_API_TOKEN set, a call with the right token is served") {
  ServedApp served({.api_token = "s3cret-token"});
  HttpClient client(served.port());
  const tew::testing::Headers token{{"dapr-api-token", "s3cret-token"}};
  CHECK(status_of(deliver(client, "/events/tasks", read_fixture("events/task_created.json"),
                          token)) == "SUCCESS");
  CHECK(client.get("/dapr/subscribe", token).result() == tew::http::status::ok);
  CHECK(served.tasks.runs() == 1);
}

TEST_CASE("health and readiness probes need no token") {
  ServedApp served({.api_token = "s3cret-token"});
  HttpClient client(served.port());
  CHECK(client.get("/healthz").result() == tew::http::status::ok);
  CHECK(client.get("/readyz").result() == tew::http::status::ok);
}

TEST_CASE("/readyz is 503 until the app has started, then 200 while the sidecar is healthy") {
  ServedApp served({.started = false});
  HttpClient client(served.port());
  CHECK(client.get("/healthz").result() == tew::http::status::ok);
  CHECK(client.get("/readyz").result() == tew::http::status::service_unavailable);
  served.app.mark_started();
  CHECK(client.get("/readyz").result() == tew::http::status::ok);
  served.sidecar.set_healthy(false);
  const auto unready = client.get("/readyz");
  CHECK(unready.result() == tew::http::status::service_unavailable);
  CHECK(unready.body() == "sidecar not reachable\n");
  CHECK(client.get("/healthz").result() == tew::http::status::ok);
  served.sidecar.set_healthy(true);
  CHECK(client.get("/readyz").result() == tew::http::status::ok);
}

TEST_CASE("/metrics counts events by topic, type and outcome, duplicates and handling time") {
  ServedApp served;
  served.tasks.act_on("task.updated", Act::retry);
  HttpClient client(served.port());
  deliver(client, "/events/tasks", read_fixture("events/task_created.json"));
  deliver(client, "/events/tasks", read_fixture("events/task_created.json"));
  deliver(client, "/events/tasks", read_fixture("events/task_updated.json"));
  deliver(client, "/events/tasks", read_fixture("events/invalid_task_missing_task_id.json"));
  deliver(client, "/events/tasks", read_fixture("events/malformed_missing_id.json"));
  deliver(client, "/events/reminders/due", read_fixture("events/reminder_due.json"));

  const auto res = client.get("/metrics");
  REQUIRE(res.result() == tew::http::status::ok);
  CHECK(res[tew::http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  const auto& text = res.body();
  CHECK(has_line(
      text,
      R"(tew_events_total{topic="task-events",type="com.dapr.event.sent",outcome="success"} 2)"));
  CHECK(has_line(
      text,
      R"(tew_events_total{topic="task-events",type="com.dapr.event.sent",outcome="retry"} 1)"));
  CHECK(has_line(
      text,
      R"(tew_events_total{topic="task-events",type="com.dapr.event.sent",outcome="drop"} 1)"));
  CHECK(has_line(text, R"(tew_events_total{topic="task-events",type="",outcome="drop"} 1)"));
  CHECK(has_line(text,
                 R"(tew_events_total{topic="reminders",type="reminder.due",outcome="success"} 1)"));
  CHECK(has_line(text, R"(tew_duplicates_total{topic="task-events"} 1)"));
  CHECK(has_line(text, R"(tew_invalid_events_total{topic="task-events"} 2)"));
  CHECK(has_line(text, R"(tew_event_handling_seconds_count{topic="task-events"} 4)"));
  CHECK(has_line(text, R"(tew_event_handling_seconds_bucket{topic="task-events",le="+Inf"} 4)"));
  CHECK(has_line(text, R"(tew_event_handling_seconds_count{topic="reminders"} 1)"));
}

TEST_CASE("a duplicate delivery runs the handler once and is answered SUCCESS") {
  for (const auto* backend : kDedupBackends) {
    CAPTURE(backend);
    ServedApp served({.dedup = backend});
    HttpClient client(served.port());
    const auto event = read_fixture("events/task_created.json");
    CHECK(status_of(deliver(client, "/events/tasks", event)) == "SUCCESS");
    CHECK(status_of(deliver(client, "/events/tasks", event)) == "SUCCESS");
    CHECK(served.tasks.runs() == 1);
  }
}

TEST_CASE("a duplicate delivered while the first is being handled gets RETRY, one run") {
  for (const auto* backend : kDedupBackends) {
    CAPTURE(backend);
    ServedApp served({.dedup = backend});
    served.tasks.act(Act::block);
    const auto event = read_fixture("events/task_created.json");
    auto first = std::async(std::launch::async, [&] {
      HttpClient client(served.port());
      return status_of(deliver(client, "/events/tasks", event));
    });
    REQUIRE(served.tasks.wait_for_runs(1));

    HttpClient second(served.port());
    CHECK(status_of(deliver(second, "/events/tasks", event)) == "RETRY");
    served.tasks.unblock();
    CHECK(first.get() == "SUCCESS");
    CHECK(served.tasks.runs() == 1);

    // daprd's redelivery of the one that got RETRY finds the event done.
    CHECK(status_of(deliver(second, "/events/tasks", event)) == "SUCCESS");
    CHECK(served.tasks.runs() == 1);
  }
}

TEST_CASE("a handler that throws is answered RETRY and its claim released for the redelivery") {
  for (const auto* backend : kDedupBackends) {
    CAPTURE(backend);
    ServedApp served({.dedup = backend});
    served.tasks.act(Act::raise);
    HttpClient client(served.port());
    const auto event = read_fixture("events/task_created.json");
    CHECK(status_of(deliver(client, "/events/tasks", event)) == "RETRY");
    served.tasks.act(Act::succeed);
    CHECK(status_of(deliver(client, "/events/tasks", event)) == "SUCCESS");
    CHECK(served.tasks.runs() == 2);
    CHECK(served.tasks.handled().size() == 1);
  }
}

TEST_CASE("a handler that answers RETRY is answered RETRY and the redelivery runs it again") {
  ServedApp served;
  served.tasks.act(Act::retry);
  HttpClient client(served.port());
  const auto event = read_fixture("events/task_created.json");
  CHECK(status_of(deliver(client, "/events/tasks", event)) == "RETRY");
  CHECK(status_of(deliver(client, "/events/tasks", event)) == "RETRY");
  CHECK(served.tasks.runs() == 2);
}

TEST_CASE("an event whose payload fails its schema is DROPped, with the reason logged, counted") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"invalid_task_missing_task_id.json", "task_id"},
      {"invalid_task_data_not_object.json", "data"},
      {"invalid_task_future_schema_version.json", "schema_version"},
      {"invalid_task_id_mismatch.json", "task_data.id"},
      {"invalid_task_bad_due_date.json", "task_data.due_date"},
      {"invalid_task_version_string.json", "task_data.version"},
  };
  tew::testing::CapturedLog log({"tasks-app", tew::LogFormat::json, spdlog::level::info});
  ServedApp served;
  HttpClient client(served.port());
  for (const auto& [fixture, field] : cases) {
    CAPTURE(fixture);
    CHECK(status_of(deliver(client, "/events/tasks", read_fixture("events/" + fixture))) == "DROP");
    const auto id = json::parse(read_fixture("events/" + fixture)).at("id").get<std::string>();
    const auto lines = log.lines_with({"dropping event", id});
    REQUIRE(lines.size() == 1);
    const auto reason = json::parse(lines[0]).at("reason").get<std::string>();
    CHECK(reason.starts_with("invalid payload: " + field + ": "));
  }
  CHECK(served.tasks.runs() == 0);
  CHECK(has_line(served.metrics_text(), "tew_invalid_events_total{topic=\"task-events\"} " +
                                            std::to_string(cases.size())));
}

TEST_CASE("every malformed CloudEvent is DROPped with a reason naming the attribute") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"malformed_missing_id.json", "id"},
      {"malformed_empty_id.json", "id"},
      {"malformed_specversion_0_3.json", "specversion"},
      {"malformed_specversion_number.json", "specversion"},
      {"malformed_bad_data_base64.json", "data_base64"},
      {"malformed_data_and_data_base64.json", "data_base64"},
      {"malformed_bad_time.json", "time"},
      {"malformed_not_object.json", "event"},
      {"malformed_truncated.json", "body"},
  };
  tew::testing::CapturedLog log({"tasks-app", tew::LogFormat::json, spdlog::level::info});
  ServedApp served;
  HttpClient client(served.port());
  for (const auto& [fixture, attribute] : cases) {
    CAPTURE(fixture);
    CHECK(status_of(deliver(client, "/events/tasks", read_fixture("events/" + fixture))) == "DROP");
    const auto lines = log.lines_with({"dropping event"});
    REQUIRE(!lines.empty());
    const auto reason = json::parse(lines.back()).at("reason").get<std::string>();
    CHECK(reason.starts_with("invalid CloudEvent: " + attribute + ": "));
  }
  CHECK(served.tasks.runs() == 0);
  CHECK(has_line(served.metrics_text(), "tew_invalid_events_total{topic=\"task-events\"} " +
                                            std::to_string(cases.size())));
}

TEST_CASE("a body with a content type that is not JSON is DROPped, not retried") {
  ServedApp served;
  HttpClient client(served.port());
  CHECK(status_of(client.post("/events/tasks", read_fixture("events/task_created.json"),
                              "text/plain")) == "DROP");
  CHECK(status_of(client.post("/events/tasks", read_fixture("events/task_created.json"), "")) ==
        "DROP");
  CHECK(served.tasks.runs() == 0);
}

TEST_CASE("a body over the 1 MiB limit is answered 413 and no handler runs") {
  ServedApp served;
  auto event = json::parse(read_fixture("events/task_created.json"));
  event["data"]["task_data"]["description"] = std::string(1024 * 1024, 'x');
  HttpClient client(served.port());
  CHECK(deliver(client, "/events/tasks", event.dump()).result() ==
        tew::http::status::payload_too_large);
  CHECK(served.tasks.runs() == 0);
}

TEST_CASE("a client still sending an oversized body reads the 413, not a connection reset") {
  ServedApp served;
  // Three times the limit: more than the kernel buffers between the two ends take, so the
  // client is still writing when the answer is ready. Closing with its bytes unread would
  // reset the connection under the client's write.
  auto event = json::parse(read_fixture("events/task_created.json"));
  event["data"]["task_data"]["description"] = std::string(3 * 1024 * 1024, 'x');
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    HttpClient client(served.port());
    const auto res = deliver(client, "/events/tasks", event.dump());
    CHECK(res.result() == tew::http::status::payload_too_large);
    CHECK(res.body().find("larger than 1048576 bytes") != std::string::npos);
  }
  CHECK(served.tasks.runs() == 0);
}

TEST_CASE("registering a route twice or two default routes for one topic is refused") {
  tew::testing::FakeClock clock;
  tew::testing::FakeSidecar sidecar{clock};
  tew::Metrics metrics;
  tew::MemoryDedupStore dedup(clock, kPolicy, 10);
  tew::DaprApp app({dedup, sidecar, metrics, clock}, {"app", "", ""});
  const auto ok = [](const tew::EventContext&) -> tew::asio::awaitable<Outcome> {
    co_return Outcome::success();
  };
  app.on_topic({"ps", "t", "/t", std::nullopt, "dead", {}, {}}, ok);
  CHECK_THROWS_AS(app.on_topic({"ps", "u", "/t", std::nullopt, {}, {}, {}}, ok),
                  std::invalid_argument);
  CHECK_THROWS_AS(app.on_topic({"ps", "t", "/t2", std::nullopt, "dead", {}, {}}, ok),
                  std::invalid_argument);
  CHECK_THROWS_AS(app.on_topic({"ps", "t", "/t3", "event.type == 'x'", "other-dead", {}, {}}, ok),
                  std::invalid_argument);
  CHECK_NOTHROW(app.on_topic({"ps", "t", "/t4", "event.type == 'x'", "dead", {}, {}}, ok));
  CHECK_NOTHROW(app.on_topic({"other-ps", "t", "/t5", std::nullopt, {}, {}, {}}, ok));
  CHECK(app.subscriptions().size() == 3);
}

TEST_CASE("a follow-on event has a derived id, the app's source and the input's time") {
  auto input = tew::parse_structured_event(read_fixture("events/task_created.json")).value();
  const tew::TopicSubscription spec{"taskpubsub", "task-events", "/t", {}, {}, {}, {}};
  const tew::EventContext ctx{input, spec, "tasks-app"};
  const auto out = ctx.follow_on("task.seen", "seen", {{"k", 1}});
  CHECK(out.id == tew::derive_event_id("task-api", "0f8fad5b-d9cb-469f-a165-70867728950e", "seen"));
  CHECK(out.id != tew::derive_event_id("task-api", input.id, "other purpose"));
  CHECK(out.source == "tasks-app");
  CHECK(out.type == "task.seen");
  CHECK(out.time == input.time);
  CHECK(out.datacontenttype == "application/json");
  CHECK(out.data == json{{"k", 1}});
  CHECK(ctx.follow_on("task.seen", "seen", {{"k", 1}}) == out);

  const auto request = ctx.publish_request("ps", "seen", out);
  CHECK(request.pubsub == "ps");
  CHECK(request.topic == "seen");
  CHECK(request.event == out);
  CHECK(request.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}
