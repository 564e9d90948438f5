// The notification service's handlers on a DaprApp with in-process fakes: FakeSidecar (state,
// publishes, bindings), MemoryDedupStore for the event pipeline, FakeClock, and a
// FakeHttpDelivery behind the webhook channel. Deliveries are posted as daprd posts them.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "fake_clock.hpp"
#include "fake_http_delivery.hpp"
#include "fake_sidecar.hpp"
#include "fixtures.hpp"
#include "notification/service.hpp"
#include "run_awaitable.hpp"
#include "tew/memory_dedup_store.hpp"

namespace tew::notification::testing {

using tew::testing::FakeClock;
using tew::testing::FakeSidecar;
using tew::testing::FakeStateStore;

inline NotificationConfig config_with(std::vector<std::string> channels) {
  NotificationConfig c;
  c.notify = {std::begin(kAllKinds), std::end(kAllKinds)};
  c.channels = std::move(channels);
  c.webhook.url = "http://127.0.0.1:9/hook";
  c.binding.name = "email";
  return c;
}

inline CommonConfig common_config() {
  CommonConfig c;
  c.app_id = "notification";
  c.event_source = "notification";
  c.pubsub_name = "pubsub";
  c.state_store = "statestore";
  return c;
}

// The fixture's body, parsed, for tests that change it before posting.
inline nlohmann::json fixture_json(std::string_view name) {
  return nlohmann::json::parse(
      tew::testing::read_fixture(std::string("events/") + std::string(name)));
}

class Harness {
 public:
  // A replica with a state store of its own, or sharing `shared` with other replicas.
  explicit Harness(const NotificationConfig& config, FakeStateStore* shared = nullptr)
      : sidecar_(shared ? std::make_unique<FakeSidecar>(*shared)
                        : std::make_unique<FakeSidecar>(clock)),
        app_({dedup, *sidecar_, metrics, clock},
             {common.app_id, common.event_source, common.app_api_token}) {
    Wiring w{common, app_, *sidecar_, dedup, metrics, clock};
    register_handlers(w, config, http);
  }

  // POSTs `body` to `route` as daprd does; the status daprd reads from the answer.
  std::string post(std::string_view route, const std::string& body) {
    HttpRequest req{http::verb::post, std::string(route), 11};
    req.set(http::field::content_type, "application/cloudevents+json");
    req.body() = body;
    req.prepare_payload();
    const auto res = tew::testing::run_awaitable(app_.handle(req));
    REQUIRE(res.result() == http::status::ok);
    return nlohmann::json::parse(res.body()).at("status").get<std::string>();
  }
  std::string post_fixture(std::string_view route, std::string_view name) {
    return post(route, tew::testing::read_fixture(std::string("events/") + std::string(name)));
  }
  std::string post_tasks(const nlohmann::json& event) {
    return post(kTaskEventsRoute, event.dump());
  }

  FakeSidecar& sidecar() { return *sidecar_; }
  DaprApp& app() { return app_; }

  FakeClock clock;
  CommonConfig common = common_config();
  MemoryDedupStore dedup{clock, DedupPolicy{}, 1000};
  Metrics metrics;
  std::shared_ptr<FakeHttpDelivery> http = std::make_shared<FakeHttpDelivery>();

 private:
  std::unique_ptr<FakeSidecar> sidecar_;
  DaprApp app_;
};

}  // namespace tew::notification::testing
