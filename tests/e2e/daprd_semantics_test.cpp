// What daprd 1.14.4 really does with an app's answers, observed with an in-process app behind a
// real daprd (the evidence for docs/dapr-findings.md): RETRY with and without a resiliency
// policy and a dead-letter topic, DROP and other answers, routing rules that match nothing,
// and bulk deliveries. Every probe runs as app id `notification` (an id the components allow).
#include <doctest/doctest.h>

#include <map>
#include <mutex>

#include "brokers.hpp"
#include "stack.hpp"
#include "wait_until.hpp"

namespace {

using namespace tew::e2e;
using nlohmann::json;

// A CloudEvent whose data tells the probe app how to answer it.
json event(const std::string& id, const std::string& answer, const std::string& type = "probe") {
  return {{"specversion", "1.0"},
          {"id", id},
          {"source", "probe"},
          {"type", type},
          {"datacontenttype", "application/json"},
          {"data", {{"answer", answer}}}};
}

// `topic` routed to /probe (extra fields merged into the subscription), and its dead-letter
// topic `<topic>-dead` routed to /dead on the same app.
json probe_subscription(const std::string& pubsub, const std::string& topic, json extra = {}) {
  json sub{{"pubsubname", pubsub}, {"topic", topic}, {"routes", {{"default", "/probe"}}}};
  if (extra.is_object()) sub.update(extra);
  return sub;
}
json dead_letter_subscription(const std::string& pubsub, const std::string& topic) {
  return {{"pubsubname", pubsub}, {"topic", topic}, {"routes", {{"default", "/dead"}}}};
}
json with_dead_letter(const std::string& pubsub, const std::string& topic, json extra = {}) {
  extra["deadLetterTopic"] = topic + "-dead";
  return json::array({probe_subscription(pubsub, topic, extra),
                      dead_letter_subscription(pubsub, topic + "-dead")});
}

// Answers a single delivery as data.answer says: a status word, "http:<code>" (that code, body
// {}), or "raw:<body>" (200 with exactly that body).
Answer answer_as_told(const Delivery& d) {
  if (d.path == "/dead" || !d.body.is_object()) return {};
  const std::string told = d.body["data"].value("answer", "SUCCESS");
  if (told.rfind("http:", 0) == 0) return {std::stoi(told.substr(5)), "{}"};
  if (told.rfind("raw:", 0) == 0) return {200, told.substr(4)};
  return {200, json{{"status", told}}.dump()};
}

// Ids of the events inside daprd's bulk envelopes delivered to `path`, one per delivery.
std::vector<std::string> bulk_entry_ids(const std::vector<Delivery>& all, const std::string& path) {
  std::vector<std::string> ids;
  for (const auto& d : all)
    if (d.path == path && d.body.contains("entries"))
      for (const auto& e : d.body["entries"])
        ids.push_back(e["event"].value("id", ""));
  return ids;
}

std::size_t occurrences(const std::vector<std::string>& ids, const std::string& id) {
  return static_cast<std::size_t>(std::count(ids.begin(), ids.end(), id));
}

// A second pub/sub, `probe-pubsub`, with the component's own redelivery instead of the
// checked-in settings: Redis reclaims a pending message after 2 s (checking every 1000 ms: in
// 1.14.4 redeliverInterval is read only as milliseconds, "1s" is ignored), Kafka keeps its
// defaults.
std::pair<std::string, std::string> probe_pubsub(Broker broker) {
  if (broker == Broker::redis)
    return {"probe-pubsub.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: probe-pubsub
spec:
  type: pubsub.redis
  version: v1
  metadata:
    - name: redisHost
      value: localhost:6379
    - name: processingTimeout
      value: 2s
    - name: redeliverInterval
      value: "1000"
)"};
  return {"probe-pubsub.yaml", R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: probe-pubsub
spec:
  type: pubsub.kafka
  version: v1
  metadata:
    - name: brokers
      value: localhost:9092
    - name: consumerGroup
      value: "probe-{appID}"
    - name: authType
      value: none
    - name: initialOffset
      value: oldest
)"};
}

}  // namespace

TEST_CASE("without a resiliency policy daprd dead-letters a RETRY at once, without redelivery") {
  auto options = with_broker(Broker::redis);
  options.resiliency = false;
  Stack stack(options);
  ScriptedApp app(with_dead_letter("pubsub", "probe"), answer_as_told);
  auto daprd = stack.sidecar("notification", app);
  REQUIRE(daprd->publish("probe", event("r1", "RETRY"), "application/cloudevents+json") == 204);
  REQUIRE_MESSAGE(app.wait_for_count("/dead", "r1", 1, kDelivery), app.describe(),
                  tail(daprd->log()));
  CHECK(app.count("/probe", "r1") == 1);
}

TEST_CASE_TEMPLATE(
    "without a resiliency policy or a dead-letter topic the pub/sub component redelivers a RETRY",
    B, Redis, Kafka) {
  // Redis leaves the message pending and claims it again after processingTimeout; Kafka's
  // component retries it itself (consumeRetryEnabled, a constant 5 s), holding its partition.
  auto options = with_broker(B::broker);
  options.resiliency = false;
  options.extra = {probe_pubsub(B::broker)};
  Stack stack(options);
  std::mutex mutex;
  std::map<std::string, int> seen;
  ScriptedApp app(json::array({probe_subscription("probe-pubsub", "probe")}),
                  [&](const Delivery& d) -> Answer {
                    std::lock_guard lock(mutex);
                    if (++seen[d.body.value("id", "")] == 1) return {200, R"({"status":"RETRY"})"};
                    return {};
                  });
  auto daprd = stack.sidecar("notification", app);
  REQUIRE(daprd->publish("probe", event("r2", "RETRY"), "application/cloudevents+json",
                         "probe-pubsub") == 204);
  REQUIRE_MESSAGE(app.wait_for_count("/probe", "r2", 2, kDelivery), app.describe(),
                  tail(daprd->log()));
  const auto all = app.deliveries();
  const auto gap = all[1].at - all[0].at;
  MESSAGE("redelivered after ", std::chrono::duration_cast<std::chrono::milliseconds>(gap).count(),
          " ms");
  CHECK(gap >= (B::broker == Broker::redis ? 1500ms : 4000ms));
}

TEST_CASE("how daprd reads single-delivery answers: success, retry, drop, 404") {
  Stack stack(with_short_retries(Broker::redis));
  ScriptedApp app(with_dead_letter("pubsub", "probe"), answer_as_told);
  auto daprd = stack.sidecar("notification", app);
  const std::vector<std::string> acknowledged{"raw:", "raw:not json", R"(raw:{"status":""})",
                                              "SUCCESS", "http:404"};
  const std::vector<std::string> retried{"RETRY", "MAYBE", "http:500", "http:400", "http:303"};
  for (const auto& a : acknowledged)
    REQUIRE(daprd->publish("probe", event(a, a), "application/cloudevents+json") == 204);
  for (const auto& a : retried)
    REQUIRE(daprd->publish("probe", event(a, a), "application/cloudevents+json") == 204);
  REQUIRE(daprd->publish("probe", event("DROP", "DROP"), "application/cloudevents+json") == 204);

  // Retried under dapr/resiliency.yaml (5 retries here), then dead-lettered; by then an
  // acknowledged event would long have been redelivered if daprd had meant to.
  for (const auto& a : retried) {
    CAPTURE(a);
    REQUIRE_MESSAGE(app.wait_for_count("/dead", a, 1, kDelivery), app.describe());
    CHECK(app.count("/probe", a) > 1);
  }
  REQUIRE(app.wait_for_count("/dead", "DROP", 1, kDelivery));
  CHECK(app.count("/probe", "DROP") == 1);
  for (const auto& a : acknowledged) {
    CAPTURE(a);
    CHECK(app.count("/probe", a) == 1);
    CHECK(app.count("/dead", a) == 0);  // 404 too: acknowledged, not dead-lettered
  }
}

TEST_CASE_TEMPLATE("DROP sends the event to the dead-letter topic once, without retries", B, Redis,
                   Kafka) {
  Stack stack(with_broker(B::broker));
  ScriptedApp app(with_dead_letter("pubsub", "probe"), answer_as_told);
  auto daprd = stack.sidecar("notification", app);
  REQUIRE(daprd->publish("probe", event("d1", "DROP"), "application/cloudevents+json") == 204);
  REQUIRE(daprd->publish("probe", event("after", "SUCCESS"), "application/cloudevents+json") ==
          204);
  REQUIRE_MESSAGE(app.wait_for_count("/dead", "d1", 1, kDelivery), app.describe(),
                  tail(daprd->log()));
  REQUIRE(app.wait_for_count("/probe", "after", 1, kDelivery));
  CHECK(app.count("/probe", "d1") == 1);
  CHECK(app.count("/dead", "d1") == 1);
  const auto dead = app.deliveries();
  for (const auto& d : dead)
    if (d.path == "/dead") CHECK(d.body["data"]["answer"] == "DROP");  // the original event
}

TEST_CASE(
    "an event that matches no routing rule goes to the dead-letter topic, unseen by the app") {
  Stack stack(with_broker(Broker::redis));
  auto subs = with_dead_letter("pubsub", "probe");
  subs[0]["routes"] = {{"rules", {{{"match", R"(event.type == "wanted")"}, {"path", "/probe"}}}}};
  ScriptedApp app(subs, answer_as_told);
  auto daprd = stack.sidecar("notification", app);
  REQUIRE(daprd->publish("probe", event("unwanted", "SUCCESS", "other"),
                         "application/cloudevents+json") == 204);
  REQUIRE(daprd->publish("probe", event("wanted", "SUCCESS", "wanted"),
                         "application/cloudevents+json") == 204);
  REQUIRE_MESSAGE(app.wait_for_count("/dead", "unwanted", 1, kDelivery), app.describe());
  REQUIRE(app.wait_for_count("/probe", "wanted", 1, kDelivery));
  CHECK(app.count("/probe", "unwanted") == 0);
  CHECK(app.count("/dead", "wanted") == 0);
}

TEST_CASE("bulk deliveries: each entry's status counts, and a missing or empty one is RETRY") {
  Stack stack(with_short_retries(Broker::redis));
  const json bulk{{"bulkSubscribe",
                   {{"enabled", true}, {"maxMessagesCount", 10}, {"maxAwaitDurationMs", 500}}}};
  auto subs = with_dead_letter("pubsub", "bulk", bulk);
  for (const auto& s : with_dead_letter("pubsub", "bulk-empty", bulk))
    subs.push_back(s);
  subs[2]["routes"]["default"] = "/empty";
  ScriptedApp app(subs, [](const Delivery& d) -> Answer {
    if (d.path == "/empty") return {200, ""};  // a 2xx with no body at all
    if (d.path != "/probe") return {};
    auto statuses = json::array();
    for (const auto& e : d.body["entries"]) {
      const std::string told = e["event"]["data"].value("answer", "");
      if (told != "missing") statuses.push_back({{"entryId", e["entryId"]}, {"status", told}});
    }
    return {200, json{{"statuses", statuses}}.dump()};
  });
  auto daprd = stack.sidecar("notification", app);
  for (const std::string a : {"SUCCESS", "RETRY", "DROP", "missing", ""})
    REQUIRE(daprd->publish("bulk", event("b-" + a, a), "application/cloudevents+json") == 204);
  REQUIRE(daprd->publish("bulk-empty", event("e-1", "SUCCESS"), "application/cloudevents+json") ==
          204);

  for (const std::string id : {"b-RETRY", "b-missing", "b-", "b-DROP", "e-1"}) {
    CAPTURE(id);
    REQUIRE_MESSAGE(app.wait_for_count("/dead", id, 1, kDelivery), app.describe());
  }
  const auto all = app.deliveries();
  const auto probe = bulk_entry_ids(all, "/probe");
  CHECK(occurrences(probe, "b-SUCCESS") == 1);
  CHECK(occurrences(probe, "b-DROP") == 1);
  CHECK(occurrences(probe, "b-RETRY") > 1);
  CHECK(occurrences(probe, "b-missing") > 1);
  CHECK(occurrences(probe, "b-") > 1);
  CHECK(occurrences(bulk_entry_ids(all, "/empty"), "e-1") > 1);
  CHECK(app.count("/dead", "b-SUCCESS") == 0);
}
