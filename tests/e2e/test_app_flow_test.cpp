// tew-test-app behind a real daprd, against real Redis and again against real Kafka: the
// task backend's path (publish through a sidecar's API), delivery, follow-on events, RETRY and
// dead letters under dapr/resiliency.yaml, dedup of a re-published CloudEvent id, API tokens on
// both sides, and dedup across two replicas. A second app (an in-process sink with its own
// sidecar) subscribes to what the app publishes and to its dead-letter topic.
#include <doctest/doctest.h>

#include "brokers.hpp"
#include "log_lines.hpp"
#include "stack.hpp"
#include "tew/event_id.hpp"
#include "wait_until.hpp"

namespace {

using namespace tew::e2e;
using nlohmann::json;

// The app under test (app id `notification`, consuming `orders`) and a sink (app id
// `recurring`) whose sidecar also plays the task backend's sidecar.
struct Flow {
  explicit Flow(Broker broker, const Tokens& tokens = {}) : Flow(with_broker(broker), tokens) {}
  explicit Flow(ResourceOptions options, const Tokens& tokens = {})
      : stack(std::move(options)),
        sink(sink_subscriptions({"orders-seen", "orders-dead"})),
        backend(stack.sidecar("recurring", sink)),
        app(start_replica(tokens)) {}

  AppReplica start_replica(const Tokens& tokens = {}) const {
    return stack.start_app("tew-test-app", "notification", {{"DEDUP_BACKEND", "state"}}, tokens);
  }

  // A full CloudEvent, so the test knows its id (daprd keeps it).
  json order(const std::string& id, json data) const {
    return {{"specversion", "1.0"},
            {"id", id},
            {"source", "task-backend"},
            {"type", "com.dapr.event.sent"},
            {"datacontenttype", "application/json"},
            {"data", std::move(data)}};
  }
  int publish(const json& event) const {
    return backend->publish("orders", event, "application/cloudevents+json");
  }
  // The id of the order.seen event the app publishes for an order from the backend.
  static std::string seen_id(const std::string& order_id) {
    return tew::derive_event_id("task-backend", order_id, "seen");
  }
  std::string logs() const {
    return "---- app\n" + tail(app.log()) + "---- app daprd\n" + tail(app.daprd->log()) +
           "---- sink\n" + sink.describe();
  }

  Stack stack;
  ScriptedApp sink;
  std::unique_ptr<Daprd> backend;
  AppReplica app;
};

}  // namespace

TEST_CASE_TEMPLATE(
    "an order published through daprd reaches the app and its follow-on a subscriber", B, Redis,
    Kafka) {
  Flow f(B::broker);
  // Plain JSON, as the task backend publishes: daprd wraps it and makes up the id.
  CHECK(f.backend->publish("orders", json{{"n", 1}}) == 204);
  REQUIRE_MESSAGE(f.sink.wait_for(
                      [](const auto& all) {
                        for (const auto& d : all)
                          if (d.path == sink_route("orders-seen")) return true;
                        return false;
                      },
                      kDelivery),
                  f.logs());
  const auto seen = f.sink.deliveries().front().body;
  CHECK(seen["type"] == "order.seen");
  CHECK(seen["source"] == "notification");
  CHECK(seen["data"]["order"] == json{{"n", 1}});
  CHECK(seen["data"]["attempt"] == 1);
  CHECK(seen.contains("traceparent"));
}

TEST_CASE_TEMPLATE("an order answered RETRY is redelivered by daprd until it succeeds", B, Redis,
                   Kafka) {
  Flow f(B::broker);
  REQUIRE(f.publish(f.order("retry-twice", {{"fail", "transient"}, {"times", 2}})) == 204);
  REQUIRE_MESSAGE(
      f.sink.wait_for_count(sink_route("orders-seen"), Flow::seen_id("retry-twice"), 1, kDelivery),
      f.logs());
  const auto seen = f.sink.deliveries().front().body;
  CHECK(seen["data"]["attempt"] == 3);
  CHECK(count_lines(f.app.log(), {"event will be retried", "event_id=retry-twice"}) == 2);
  CHECK(f.sink.count(sink_route("orders-dead")) == 0);
}

TEST_CASE_TEMPLATE("an order that always fails lands on the dead-letter topic after the retries", B,
                   Redis, Kafka) {
  Flow f(with_short_retries(B::broker));  // 5 retries, not the ~100 s of the checked-in policy
  REQUIRE(f.publish(f.order("always-retry", {{"fail", "transient"}})) == 204);
  REQUIRE(f.publish(f.order("always-throws", {{"fail", "throw"}})) == 204);
  for (const std::string id : {"always-retry", "always-throws"}) {
    CAPTURE(id);
    REQUIRE_MESSAGE(f.sink.wait_for_count(sink_route("orders-dead"), id, 1, kDelivery), f.logs());
    // Redelivered first (the resiliency policy), then dead-lettered once, never handled.
    CHECK(count_lines(f.app.log(), {"event will be retried", "event_id=" + id}) > 1);
    CHECK(f.sink.count(sink_route("orders-dead"), id) == 1);
    CHECK(f.sink.count(sink_route("orders-seen"), Flow::seen_id(id)) == 0);
  }
}

TEST_CASE_TEMPLATE("the same CloudEvent id published twice has one effect", B, Redis, Kafka) {
  Flow f(B::broker);
  const auto event = f.order("once", {{"n", 1}});
  REQUIRE(f.publish(event) == 204);
  REQUIRE_MESSAGE(
      f.sink.wait_for_count(sink_route("orders-seen"), Flow::seen_id("once"), 1, kDelivery),
      f.logs());
  REQUIRE(f.publish(event) == 204);
  REQUIRE_MESSAGE(
      wait_until(
          [&] {
            return count_lines(f.app.log(), {"duplicate event acknowledged", "event_id=once"}) == 1;
          },
          kDelivery),
      f.logs());
  // A later order's follow-on arrives, and the duplicate's never did.
  REQUIRE(f.publish(f.order("after", {{"n", 2}})) == 204);
  REQUIRE(f.sink.wait_for_count(sink_route("orders-seen"), Flow::seen_id("after"), 1, kDelivery));
  CHECK(f.sink.count(sink_route("orders-seen"), Flow::seen_id("once")) == 1);
}

TEST_CASE_TEMPLATE("API tokens on both sides: events flow and the app rejects calls without one", B,
                   Redis, Kafka) {
  const Tokens tokens{"app-token-e2e", "dapr-token-e2e"};
  Flow f(B::broker, tokens);
  // daprd sends APP_API_TOKEN to the app; the app sends DAPR_API_TOKEN to publish.
  REQUIRE(f.publish(f.order("with-tokens", {{"n", 1}})) == 204);
  REQUIRE_MESSAGE(
      f.sink.wait_for_count(sink_route("orders-seen"), Flow::seen_id("with-tokens"), 1, kDelivery),
      f.logs());

  tew::testing::HttpClient app(f.app.port);
  const auto body = f.order("direct", {{"n", 2}}).dump();
  CHECK(app.post("/orders", body).result_int() == 401);
  CHECK(app.get("/dapr/subscribe").result_int() == 401);
  CHECK(app.post("/orders", body, "application/cloudevents+json", {{"dapr-api-token", "wrong"}})
            .result_int() == 401);
  CHECK(app.get("/healthz").result_int() == 200);  // probes carry no token
  CHECK(app.post("/orders", body, "application/cloudevents+json", {{"dapr-api-token", tokens.app}})
            .result_int() == 200);

  // The app's sidecar refuses its API without DAPR_API_TOKEN.
  tew::testing::HttpClient sidecar(f.app.daprd->http_port());
  CHECK(
      sidecar.post("/v1.0/publish/pubsub/orders", R"({"n":3})", "application/json").result_int() ==
      401);
  CHECK(f.app.daprd->publish("orders", json{{"n", 3}}) == 204);
}

TEST_CASE_TEMPLATE("two replicas of one app id share dedup through the state store", B, Redis,
                   Kafka) {
  Flow f(B::broker);
  const auto event = f.order("shared", {{"n", 1}});
  REQUIRE(f.publish(event) == 204);
  REQUIRE_MESSAGE(
      f.sink.wait_for_count(sink_route("orders-seen"), Flow::seen_id("shared"), 1, kDelivery),
      f.logs());

  // A second replica joins; the first leaves, so the re-published event can only reach the
  // second, which must know it from the shared state store.
  auto second = f.start_replica();
  f.app.stop();
  REQUIRE(f.publish(event) == 204);
  REQUIRE(f.publish(f.order("after", {{"n", 2}})) == 204);
  REQUIRE_MESSAGE(
      f.sink.wait_for_count(sink_route("orders-seen"), Flow::seen_id("after"), 1, kDelivery),
      "---- second replica\n", tail(second.log()), "\n---- its daprd\n", tail(second.daprd->log()),
      f.sink.describe());
  REQUIRE_MESSAGE(wait_until(
                      [&] {
                        return count_lines(second.log(), {"duplicate event acknowledged",
                                                          "event_id=shared"}) >= 1;
                      },
                      kDelivery),
                  tail(second.log()));
  CHECK(f.sink.count(sink_route("orders-seen"), Flow::seen_id("shared")) == 1);
}
