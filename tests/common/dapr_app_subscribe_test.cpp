// DaprApp's answer to GET /dapr/subscribe in both subscription modes (DAPR_SUBSCRIBE): the
// routes deliver either way; only the document daprd reads at start changes.
#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "run_awaitable.hpp"
#include "tew/dapr_app.hpp"
#include "tew/memory_dedup_store.hpp"

namespace {

struct App {
  explicit App(bool programmatic)
      : app({dedup, sidecar, metrics, clock}, {"notification", "", "", programmatic}) {
    tew::TopicSubscription spec{"pubsub",
                                "task-events",
                                "/events/task-events",
                                std::nullopt,
                                "notification-dead-letters",
                                {},
                                {}};
    app.on_topic(spec, [](const tew::EventContext&) -> tew::asio::awaitable<tew::Outcome> {
      co_return tew::Outcome::success();
    });
  }

  tew::HttpResponse request(tew::http::verb method, std::string target, std::string body = {}) {
    tew::HttpRequest req{method, target, 11};
    if (!body.empty()) req.set(tew::http::field::content_type, "application/cloudevents+json");
    req.body() = std::move(body);
    req.prepare_payload();
    return tew::testing::run_awaitable(app.handle(req));
  }

  tew::testing::FakeClock clock;
  tew::testing::FakeSidecar sidecar{clock};
  tew::Metrics metrics;
  tew::MemoryDedupStore dedup{clock, {}, 16};
  tew::DaprApp app;
};

const std::string kEvent =
    R"({"specversion":"1.0","id":"e-1","source":"backend","type":"com.dapr.event.sent",)"
    R"("datacontenttype":"application/json","data":{"event_type":"task.created"}})";

}  // namespace

TEST_CASE("programmatic mode lists the subscriptions in GET /dapr/subscribe") {
  App a(true);
  const auto res = a.request(tew::http::verb::get, "/dapr/subscribe");
  CHECK(res.result() == tew::http::status::ok);
  const auto doc = nlohmann::json::parse(res.body());
  REQUIRE(doc.size() == 1);
  CHECK(doc[0]["topic"] == "task-events");
  CHECK(doc[0]["deadLetterTopic"] == "notification-dead-letters");
}

TEST_CASE("declarative mode answers an empty list, and the route still delivers") {
  App a(false);
  const auto res = a.request(tew::http::verb::get, "/dapr/subscribe");
  CHECK(res.result() == tew::http::status::ok);
  CHECK(nlohmann::json::parse(res.body()) == nlohmann::json::array());
  const auto delivered = a.request(tew::http::verb::post, "/events/task-events", kEvent);
  CHECK(delivered.result() == tew::http::status::ok);
  CHECK(nlohmann::json::parse(delivered.body())["status"] == "SUCCESS");
}
