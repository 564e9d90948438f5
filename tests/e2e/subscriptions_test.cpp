// Who subscribes: the app (GET /dapr/subscribe, DAPR_SUBSCRIBE=programmatic, the default) or the
// Subscription files in dapr/subscriptions/ (DAPR_SUBSCRIBE=declarative), never both; what
// daprd 1.14.4 does when both name the same topic; and that the checked-in files say what the
// services themselves say.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "brokers.hpp"
#include "ports.hpp"
#include "stack.hpp"
#include "tew/event_id.hpp"
#include "wait_until.hpp"

namespace {

using namespace tew::e2e;
using nlohmann::json;

// A Subscription for tew-test-app's topic, as a user would declare it.
const std::pair<std::string, std::string> kDeclaredOrders{"orders-subscription.yaml",
                                                          R"(apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders-declared
spec:
  pubsubname: pubsub
  topic: orders
  routes:
    default: /orders
  deadLetterTopic: orders-declared-dead
scopes:
  - notification
)"};

// (pubsub, topic, default route, dead-letter topic) of daprd's metadata or an app's document.
using Sub = std::tuple<std::string, std::string, std::string, std::string>;

std::set<Sub> from_metadata(const json& subscriptions, const std::string& type) {
  std::set<Sub> out;
  for (const auto& s : subscriptions) {
    if (s.value("type", "") != type) continue;
    std::string route;
    for (const auto& r : s.value("rules", json::array()))
      if (r.value("match", "").empty()) route = r.value("path", "");
    out.insert(
        {s.value("pubsubname", ""), s.value("topic", ""), route, s.value("deadLetterTopic", "")});
  }
  return out;
}

std::set<Sub> from_app(const json& document) {
  std::set<Sub> out;
  for (const auto& s : document)
    out.insert({s.value("pubsubname", ""), s.value("topic", ""),
                s.contains("routes") ? s["routes"].value("default", "") : s.value("route", ""),
                s.value("deadLetterTopic", "")});
  return out;
}

}  // namespace

TEST_CASE("with DAPR_SUBSCRIBE=declarative the app is subscribed once, by the Subscription file") {
  auto options = with_broker(Broker::redis);
  options.extra = {kDeclaredOrders};
  Stack stack(options);
  ScriptedApp sink(sink_subscriptions({"orders-seen"}));
  auto backend = stack.sidecar("recurring", sink);
  auto app = stack.start_app("tew-test-app", "notification", {{"DAPR_SUBSCRIBE", "declarative"}});

  const auto subs = app.daprd->subscriptions();
  INFO(subs.dump());
  CHECK(subs.size() == 1);
  CHECK(from_metadata(subs, "DECLARATIVE") ==
        std::set<Sub>{{"pubsub", "orders", "/orders", "orders-declared-dead"}});

  const json order{{"specversion", "1.0"},
                   {"id", "declared-1"},
                   {"source", "task-backend"},
                   {"type", "com.dapr.event.sent"},
                   {"data", {{"n", 1}}}};
  REQUIRE(backend->publish("orders", order, "application/cloudevents+json") == 204);
  const auto seen = tew::derive_event_id("task-backend", "declared-1", "seen");
  REQUIRE_MESSAGE(sink.wait_for_count(sink_route("orders-seen"), seen, 1, kDelivery),
                  tail(app.log()), tail(app.daprd->log()));
  CHECK(sink.count(sink_route("orders-seen"), seen) == 1);
}

TEST_CASE("daprd lets a programmatic subscription silently replace a declared one for its topic") {
  auto options = with_broker(Broker::redis);
  options.extra = {kDeclaredOrders};
  Stack stack(options);
  auto app = stack.start_app("tew-test-app", "notification");  // programmatic, the default
  const auto subs = app.daprd->subscriptions();
  INFO(subs.dump());
  CHECK(subs.size() == 1);
  CHECK(from_metadata(subs, "PROGRAMMATIC") ==
        std::set<Sub>{{"pubsub", "orders", "/orders", "orders-dead"}});
  CHECK(from_metadata(subs, "DECLARATIVE").empty());
}

TEST_CASE("daprd loads the checked-in Subscription files, each for its own app id only") {
  auto options = with_broker(Broker::redis);
  options.declarative_subscriptions = true;
  Stack stack(options);
  const std::map<std::string, std::set<Sub>> expected{
      {"notification",
       {{"pubsub", "task-events", "/events/task-events", "notification-dead-letters"},
        {"pubsub", "reminders", "/events/reminders", "notification-dead-letters"}}},
      {"reminder", {{"pubsub", "task-events", "/events/task-events", "reminder-dead-letters"}}},
      {"recurring", {{"pubsub", "task-events", "/events/task-events", "recurring-dead-letters"}}},
  };
  for (const auto& [app_id, subs] : expected) {
    CAPTURE(app_id);
    ScriptedApp app(json::array());  // subscribes to nothing itself
    auto daprd = stack.sidecar(app_id, app);
    const auto listed = daprd->subscriptions();
    INFO(listed.dump());
    CHECK(listed.size() == subs.size());
    CHECK(from_metadata(listed, "DECLARATIVE") == subs);
  }
}

TEST_CASE("the checked-in Subscription files say what each built service subscribes to itself") {
  auto options = with_broker(Broker::redis);
  options.declarative_subscriptions = true;
  Stack stack(options);
  int compared = 0;
  for (const std::string service : {"notification", "reminder", "recurring"}) {
    if (!std::filesystem::exists(tew::testing::built_binary("tew-" + service))) continue;
    CAPTURE(service);
    auto declared =
        stack.start_app("tew-" + service, service,
                        {{"DAPR_SUBSCRIBE", "declarative"}, {"DEDUP_BACKEND", "memory"}});
    const auto from_files = from_metadata(declared.daprd->subscriptions(), "DECLARATIVE");
    declared.stop();

    const auto port = unique_port();
    tew::testing::ChildProcess own(
        tew::testing::built_binary("tew-" + service), {},
        {{"APP_PORT", std::to_string(port)}, {"DEDUP_BACKEND", "memory"}, {"LOG_FORMAT", "text"}});
    REQUIRE(own.wait_for_output("listening", 10s));
    tew::testing::HttpClient client(port);
    const auto res = client.get("/dapr/subscribe");
    REQUIRE(res.result_int() == 200);
    CHECK(from_files == from_app(json::parse(res.body())));
    ++compared;
  }
  // Until the services are built here this compares nothing; the test above still checks the
  // files themselves.
  MESSAGE(compared, " service(s) compared with dapr/subscriptions/");
}
