#include "tew/subscription.hpp"

#include <doctest/doctest.h>

using nlohmann::json;
using tew::subscribe_document;
using tew::TopicSubscription;

namespace {

TopicSubscription route(std::string topic, std::string path,
                        std::optional<std::string> match = std::nullopt) {
  return {"pubsub", std::move(topic), std::move(path), std::move(match), std::nullopt, {}, {}};
}

}  // namespace

TEST_CASE("no subscriptions make an empty document") {
  CHECK(subscribe_document({}) == json::array());
}

TEST_CASE("one route is the topic's default, with nothing daprd was not asked for") {
  CHECK(subscribe_document({route("orders", "/orders")}) ==
        json::parse(R"([{"pubsubname":"pubsub","topic":"orders",
                         "routes":{"default":"/orders"}}])"));
}

TEST_CASE("routes of one topic become its rules in registration order, plus the default") {
  const auto doc = subscribe_document({route("orders", "/big", "event.data.total > 100"),
                                       route("orders", "/all"),
                                       route("orders", "/eu", R"(event.data.region == "eu")")});
  REQUIRE(doc.size() == 1);
  CHECK(doc[0]["routes"] == json::parse(R"({"default":"/all","rules":[
          {"match":"event.data.total > 100","path":"/big"},
          {"match":"event.data.region == \"eu\"","path":"/eu"}]})"));
}

TEST_CASE("a topic with rules only has no default route") {
  const auto doc = subscribe_document({route("orders", "/big", "event.data.total > 100")});
  CHECK_FALSE(doc[0]["routes"].contains("default"));
}

TEST_CASE("each topic is one entry, in the order topics were first registered") {
  const auto doc = subscribe_document(
      {route("b", "/b"), route("a", "/a"), route("b", "/b-rule", "event.type == 'x'")});
  REQUIRE(doc.size() == 2);
  CHECK(doc[0]["topic"] == "b");
  CHECK(doc[0]["routes"]["rules"].size() == 1);
  CHECK(doc[1]["topic"] == "a");
}

TEST_CASE("the same topic name on two pub/sub components is two entries") {
  auto other = route("orders", "/other");
  other.pubsub = "kafka";
  const auto doc = subscribe_document({route("orders", "/orders"), other});
  REQUIRE(doc.size() == 2);
  CHECK(doc[0]["pubsubname"] == "pubsub");
  CHECK(doc[1]["pubsubname"] == "kafka");
  CHECK(doc[1]["routes"]["default"] == "/other");
}

TEST_CASE("dead-letter topic, metadata and bulk subscribe appear as daprd reads them") {
  auto spec = route("orders", "/orders");
  spec.dead_letter_topic = "orders-dead";
  spec.metadata = {{"rawPayload", "true"}, {"maxConcurrency", "4"}};
  spec.bulk = {true, 50, 250};
  CHECK(subscribe_document({spec}) == json::parse(R"([{
          "pubsubname":"pubsub","topic":"orders","routes":{"default":"/orders"},
          "deadLetterTopic":"orders-dead",
          "metadata":{"rawPayload":"true","maxConcurrency":"4"},
          "bulkSubscribe":{"enabled":true,"maxMessagesCount":50,"maxAwaitDurationMs":250}}])"));
}

TEST_CASE("metadata values stay strings, as daprd's map[string]string requires") {
  auto spec = route("orders", "/orders");
  spec.metadata = {{"rawPayload", "true"}};
  CHECK(subscribe_document({spec})[0]["metadata"]["rawPayload"].is_string());
}
