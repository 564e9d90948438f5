// A minimal service on the common library, for integration tests of the runner and the
// contract over real HTTP: it consumes `orders` and publishes `order.seen` for each.
// Payload {"fail":"transient"} → RETRY, {"fail":"throw"} → handler throws.
#include "tew/service.hpp"

namespace {

tew::asio::awaitable<tew::Outcome> on_order(const nlohmann::json& order,
                                            const tew::EventContext& ctx, tew::Sidecar& sidecar,
                                            const std::string& pubsub) {
  const auto fail = order.value("fail", std::string{});
  if (fail == "transient") co_return tew::Outcome::retry("asked to fail");
  if (fail == "throw") throw std::runtime_error("asked to throw");
  auto seen = ctx.follow_on("order.seen", "seen", {{"order", order}});
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
    return [topic](tew::Wiring& w) {
      const auto pubsub = w.config.pubsub_name;
      tew::TopicSubscription spec{pubsub, topic, "/orders", std::nullopt, "orders-dead", {}, {}};
      w.app.on_topic<nlohmann::json>(
          spec, [](const tew::CloudEvent& e) { return e.payload_json(); },
          [&sidecar = w.sidecar, pubsub](const nlohmann::json& order,
                                         const tew::EventContext& ctx) {
            return on_order(order, ctx, sidecar, pubsub);
          });
      w.app.on_binding({"tick", ""},
                       [](const tew::BindingCall&) -> tew::asio::awaitable<tew::Outcome> {
                         co_return tew::Outcome::success();
                       });
    };
  });
}
