// tew::run_service in a real process: the test app (tests/app/test_app.cpp) started as
// `tew-test-app` against FakeSidecarServer, on ephemeral ports of 127.0.0.1. Every process is
// killed by ChildProcess's destructor if a test ends before it exits.
#include <doctest/doctest.h>

#include <csignal>
#include <future>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar_server.hpp"
#include "http_client.hpp"
#include "tew/event_id.hpp"
#include "tew/version.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using tew::testing::ChildProcess;
using tew::testing::FakeSidecarServer;
using tew::testing::HttpClient;
using Env = std::map<std::string, std::string>;

namespace {

constexpr auto kStartTimeout = 10s;
constexpr auto kExitTimeout = 10s;

std::string program() {
  return tew::testing::built_binary("tew-test-app");
}

// Runs the binary to its end with `args` and `env`; its exit code and output.
std::pair<std::optional<int>, std::string> run_to_end(std::vector<std::string> args, Env env) {
  ChildProcess process(program(), std::move(args), std::move(env));
  const auto code = process.wait(kExitTimeout);
  return {code, process.output()};
}

// The test app serving on a free port against `sidecar`, listening once constructed.
class RunningApp {
 public:
  RunningApp(const FakeSidecarServer& sidecar, Env env = {})
      : port_(tew::testing::free_port()), process_(program(), {}, with_defaults(sidecar, env)) {
    REQUIRE_MESSAGE(process_.wait_for_output("\"msg\":\"listening\"", kStartTimeout),
                    process_.output());
  }

  std::uint16_t port() const { return port_; }
  ChildProcess& process() { return process_; }

  // SIGTERM, then its exit code within kExitTimeout.
  std::optional<int> terminate() {
    process_.signal(SIGTERM);
    return process_.wait(kExitTimeout);
  }

 private:
  Env with_defaults(const FakeSidecarServer& sidecar, Env env) const {
    env.try_emplace("APP_PORT", std::to_string(port_));
    env.try_emplace("DAPR_HTTP_ENDPOINT", sidecar.base_url());
    env.try_emplace("PUBSUB_NAME", "orderbus");
    env.try_emplace("SIDECAR_MAX_ATTEMPTS", "1");
    return env;
  }

  std::uint16_t port_;
  ChildProcess process_;
};

std::string order_event(const std::string& id, const std::string& item) {
  return json{{"specversion", "1.0"},
              {"id", id},
              {"source", "shop"},
              {"type", "order.placed"},
              {"time", "2026-03-02T09:14:05Z"},
              {"datacontenttype", "application/json"},
              {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
              {"data", {{"item", item}}}}
      .dump();
}

std::string deliver(std::uint16_t port, const std::string& body,
                    tew::testing::Headers headers = {}) {
  HttpClient client(port);
  const auto res = client.post("/orders", body, "application/cloudevents+json", headers);
  REQUIRE(res.result() == tew::testing::http::status::ok);
  return json::parse(res.body()).at("status").get<std::string>();
}

// Bodies of the publish requests the sidecar saw, byte for byte.
std::vector<std::string> publish_bodies(const FakeSidecarServer& sidecar) {
  std::vector<std::string> bodies;
  for (const auto& r : sidecar.requests())
    if (r.path.starts_with("/v1.0/publish/")) bodies.push_back(r.body);
  return bodies;
}

std::string line_with(const std::string& output, const std::string& needle) {
  const auto at = output.find(needle);
  if (at == std::string::npos) return {};
  const auto begin = output.rfind('\n', at) == std::string::npos ? 0 : output.rfind('\n', at) + 1;
  return output.substr(begin, output.find('\n', at) - begin);
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("--help lists the variables with their defaults and exits 0") {
  const auto [code, output] = run_to_end({"--help"}, {});
  CHECK(code == 0);
  for (const auto* name : {"APP_PORT", "APP_API_TOKEN", "DAPR_HTTP_PORT", "DAPR_HTTP_ENDPOINT",
                           "DAPR_API_TOKEN", "PUBSUB_NAME", "DEDUP_BACKEND", "ORDERS_TOPIC"})
    CHECK_MESSAGE(output.find(name) != std::string::npos, name);
  CHECK(output.find("[default: 8099]") != std::string::npos);
  CHECK(output.find("[default: orders]") != std::string::npos);
  CHECK(output.find("integration-test app for the common library") != std::string::npos);
}

TEST_CASE("--version prints the program and the library version and exits 0") {
  const auto [code, output] = run_to_end({"--version"}, {});
  CHECK(code == 0);
  CHECK(output == std::string("tew-test-app ") + tew::kVersion + "\n");
}

TEST_CASE("an unknown argument exits 2 naming it") {
  const auto [code, output] = run_to_end({"--verbose"}, {});
  CHECK(code == 2);
  CHECK(output.find("'--verbose'") != std::string::npos);
}

TEST_CASE("APP_PORT=abc stops startup with exit 2 and a message naming APP_PORT") {
  const auto [code, output] = run_to_end({}, {{"APP_PORT", "abc"}});
  CHECK(code == 2);
  CHECK(output.find("APP_PORT") != std::string::npos);
  CHECK(output.find("listening") == std::string::npos);
}

TEST_CASE("every invalid variable is named at once, and startup stops with exit 2") {
  const auto [code, output] = run_to_end({}, {{"APP_PORT", "70000"},
                                              {"LOG_LEVEL", "loud"},
                                              {"DEDUP_BACKEND", "disk"},
                                              {"DAPR_HTTP_ENDPOINT", "ftp://sidecar"},
                                              {"SIDECAR_TIMEOUT_MS", "-1"}});
  CHECK(code == 2);
  for (const auto* name :
       {"APP_PORT", "LOG_LEVEL", "DEDUP_BACKEND", "DAPR_HTTP_ENDPOINT", "SIDECAR_TIMEOUT_MS"})
    CHECK_MESSAGE(output.find(name) != std::string::npos, name);
  CHECK(count(output, "invalid configuration") == 5);
}

TEST_CASE("the listening line names the service once, with program, version and address") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  RunningApp app(sidecar, {{"APP_ID", "orders-app"}});
  const auto line = line_with(app.process().output(), "\"msg\":\"listening\"");
  CHECK(count(line, "\"service\":") == 1);
  const auto fields = json::parse(line);
  CHECK(fields["service"] == "orders-app");
  CHECK(fields["program"] == "tew-test-app");
  CHECK(fields["version"] == tew::kVersion);
  CHECK(fields["address"] == "127.0.0.1:" + std::to_string(app.port()));
  CHECK(app.terminate() == 0);
}

TEST_CASE("/readyz follows the sidecar's outbound health check once listening") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  RunningApp app(sidecar);
  HttpClient client(app.port());
  CHECK(client.get("/readyz").result() == tew::testing::http::status::ok);
  sidecar.set_healthy(false);
  CHECK(client.get("/readyz").result() == tew::testing::http::status::service_unavailable);
  CHECK(client.get("/healthz").result() == tew::testing::http::status::ok);
  sidecar.set_healthy(true);
  CHECK(client.get("/readyz").result() == tew::testing::http::status::ok);
  bool asked_outbound = false;
  for (const auto& r : sidecar.requests())
    asked_outbound = asked_outbound || r.path == "/v1.0/healthz/outbound";
  CHECK(asked_outbound);
  CHECK(app.terminate() == 0);
}

TEST_CASE("a delivered event is published once, with an id derived from the input event") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  RunningApp app(sidecar);
  CHECK(deliver(app.port(), order_event("order-1", "tea")) == "SUCCESS");

  const auto published = sidecar.published();
  REQUIRE(published.size() == 1);
  CHECK(published[0].pubsub == "orderbus");
  CHECK(published[0].topic == "orders-seen");
  CHECK(published[0].content_type == "application/cloudevents+json");
  CHECK(published[0].traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const auto& event = published[0].event;
  CHECK(event["id"] == tew::derive_event_id("shop", "order-1", "seen"));
  CHECK(event["source"] == "tew-test-app");
  CHECK(event["type"] == "order.seen");
  CHECK(event["time"] == "2026-03-02T09:14:05Z");
  CHECK(event["data"] == json{{"order", {{"item", "tea"}}}, {"attempt", 1}});  // its first delivery
  CHECK(app.terminate() == 0);
}

TEST_CASE("the same event handled again after a restart publishes a byte-identical event") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  for (int run = 0; run < 2; ++run) {
    RunningApp app(sidecar, {{"DEDUP_BACKEND", "memory"}});
    CHECK(deliver(app.port(), order_event("order-7", "milk")) == "SUCCESS");
    CHECK(app.terminate() == 0);
  }
  const auto bodies = publish_bodies(sidecar);
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[0] == bodies[1]);
}

TEST_CASE("with DEDUP_BACKEND=memory, /metrics shows the dedup store's records against its bound") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  RunningApp app(sidecar, {{"DEDUP_BACKEND", "memory"}, {"DEDUP_CAPACITY", "2"}});
  for (const auto* id : {"order-a", "order-b", "order-c"})
    CHECK(deliver(app.port(), order_event(id, "salt")) == "SUCCESS");
  HttpClient client(app.port());
  const auto metrics = client.get("/metrics").body();
  CHECK(count(metrics, "\ntew_dedup_records 2\n") == 1);
  CHECK(count(metrics, "\ntew_dedup_capacity 2\n") == 1);
  CHECK(count(metrics, "\ntew_dedup_evictions_total 1\n") == 1);
  CHECK(app.terminate() == 0);
}

TEST_CASE("a duplicate delivery publishes once") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  RunningApp app(sidecar);  // DEDUP_BACKEND=state: claims in the fake's state store
  const auto event = order_event("order-2", "bread");
  CHECK(deliver(app.port(), event) == "SUCCESS");
  CHECK(deliver(app.port(), event) == "SUCCESS");
  CHECK(sidecar.published().size() == 1);
  CHECK(deliver(app.port(), order_event("order-3", "bread")) == "SUCCESS");
  CHECK(sidecar.published().size() == 2);
  CHECK(app.terminate() == 0);
}

TEST_CASE("with APP_API_TOKEN, a delivery without the token is 401 and publishes nothing") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  RunningApp app(sidecar, {{"APP_API_TOKEN", "app-token"}});
  HttpClient client(app.port());
  const auto refused = client.post("/orders", order_event("order-4", "jam"));
  CHECK(refused.result() == tew::testing::http::status::unauthorized);
  CHECK(client.get("/healthz").result() == tew::testing::http::status::ok);
  CHECK(sidecar.published().empty());
  CHECK(deliver(app.port(), order_event("order-4", "jam"), {{"dapr-api-token", "app-token"}}) ==
        "SUCCESS");
  CHECK(sidecar.published().size() == 1);
  CHECK(app.terminate() == 0);
}

TEST_CASE("DAPR_API_TOKEN is sent to the sidecar on every call") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.require_api_token("sidecar-token");
  sidecar.start();
  RunningApp app(sidecar, {{"DAPR_API_TOKEN", "sidecar-token"}});
  CHECK(deliver(app.port(), order_event("order-5", "oats")) == "SUCCESS");
  CHECK(sidecar.published().size() == 1);
  const auto requests = sidecar.requests();
  REQUIRE(requests.size() >= 3);  // claim, publish, complete
  for (const auto& r : requests)
    CHECK_MESSAGE(r.header("dapr-api-token") == "sidecar-token", r.method, " ", r.path);
  CHECK(app.terminate() == 0);
}

TEST_CASE("SIGTERM while idle exits 0 promptly, idle connections included") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  RunningApp app(sidecar);
  HttpClient idle(app.port());
  CHECK(idle.get("/healthz").result() == tew::testing::http::status::ok);
  const auto started = std::chrono::steady_clock::now();
  CHECK(app.terminate() == 0);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  CHECK(idle.closed_by_server());
  CHECK(app.process().output().find("\"msg\":\"stopped\"") != std::string::npos);
}

TEST_CASE("SIGTERM with a request in flight lets it finish, then exits 0") {
  tew::testing::FakeClock clock;
  FakeSidecarServer sidecar(clock);
  sidecar.start();
  // Declared before the app, so that a failing test kills the app before waiting for this.
  std::future<tew::testing::Response> in_flight;
  RunningApp app(sidecar);
  sidecar.delay_next(1, 1000ms, "/v1.0/publish/");
  in_flight = std::async(std::launch::async, [port = app.port()] {
    HttpClient client(port);
    return client.post("/orders", order_event("order-6", "rice"));
  });
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (publish_bodies(sidecar).empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  REQUIRE(publish_bodies(sidecar).size() == 1);  // the handler is waiting for the sidecar

  app.process().signal(SIGTERM);
  const auto res = in_flight.get();
  CHECK(res.result() == tew::testing::http::status::ok);
  CHECK(json::parse(res.body())["status"] == "SUCCESS");
  CHECK_FALSE(res.keep_alive());
  CHECK(app.process().wait(kExitTimeout) == 0);
  CHECK(sidecar.published().size() == 1);
}
