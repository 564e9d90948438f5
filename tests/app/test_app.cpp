// A minimal service on the common library, for integration and e2e tests of the runner and the
// contract over real HTTP: it consumes `orders` and publishes `order.seen` for each.
// Payload {"fail":"transient"} → RETRY (with "times":N only the first N deliveries of that
// event id), {"fail":"throw"} → handler throws.
#include <map>
#include <memory>
#include <mutex>

#include "tew/service.hpp"

namespace {

// Deliveries seen per event id, for {"fail":"transient","times":N}.
struct Attempts {
  std::mutex mutex;
  std::map<std::string, int> by_id;
  int next(const std::string& id) {
    std::lock_guard lock(mutex);
    return ++by_id[id];
  }
};

tew::asio::awaitable<tew::Outcome> on_order(const nlohmann::json& order,
                                            const tew::EventContext& ctx, tew::Sidecar& sidecar,
                                            const std::string& pubsub, Attempts& attempts) {
  const auto fail = order.value("fail", std::string{});
  const int attempt = attempts.next(ctx.event.id);
  if (fail == "transient" && (!order.contains("times") || attempt <= order.value("times", 0)))
    co_return tew::Outcome::retry("asked to fail");
  if (fail == "throw") throw std::runtime_error("asked to throw");
  auto seen = ctx.follow_on("order.seen", "seen", {{"order", order}, {"attempt", attempt}});
  const auto request = ctx.publish_request(pubsub, "orders-seen", std::move(seen));
  auto published = co_await sidecar.publish(request);
  if (!published) co_return tew::Outcome::retry(published.error().describe());
  co_return tew::Outcome::success();
}

}  // namespace

int main(int argc, char** argv) {
  const tew::ServiceInfo info{"tew-test-app", "integration-test app for the common library", 8099};
  return tew::run_service(info, argc, argv, [](tew::Env& env) {
    auto topic = env.text("ORDERS_TOPIC", "orders", "topic the test app consumes");
    auto route = env.text("ORDERS_ROUTE", "/orders", "HTTP path daprd delivers orders to");
    return [topic, route](tew::Wiring& w) {
      const auto pubsub = w.config.pubsub_name;
      auto attempts = std::make_shared<Attempts>();
      tew::TopicSubscription spec{pubsub, topic, route, std::nullopt, "orders-dead", {}, {}};
      w.app.on_topic<nlohmann::json>(
          spec, [](tew::CloudEvent&& e) { return std::move(e).payload_json(); },
          [&sidecar = w.sidecar, pubsub, attempts](const nlohmann::json& order,
                                                   const tew::EventContext& ctx) {
            return on_order(order, ctx, sidecar, pubsub, *attempts);
          });
      w.app.on_binding({"tick", ""},
                       [](const tew::BindingCall&) -> tew::asio::awaitable<tew::Outcome> {
                         co_return tew::Outcome::success();
                       });
    };
  });
}
