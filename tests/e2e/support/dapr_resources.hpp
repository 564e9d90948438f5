// The checked-in dapr/ files, made usable for one e2e run: copied into a per-run resources
// directory with only the endpoints rewritten (Redis, Kafka and webhook ports differ per run,
// the secrets file gets an absolute path). Nothing else changes, so the tests run the very
// files a user runs; an endpoint the renderer does not know is an error, not a silent copy.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tew::e2e {

enum class Broker { redis, kafka };
std::string_view to_string(Broker broker);

struct ResourceOptions {
  Broker broker = Broker::redis;
  bool resiliency = true;  // dapr/resiliency.yaml
  // When set, dapr/resiliency.yaml with its deliveryRetry policy's maxRetries replaced: for
  // tests about what happens once the retries run out, which would otherwise wait ~100 s.
  std::optional<int> delivery_retries;
  bool declarative_subscriptions = false;  // dapr/subscriptions/*.yaml
  // More resources for probes of daprd itself: (file name, YAML), endpoints rewritten alike.
  std::vector<std::pair<std::string, std::string>> extra;
};

struct Endpoints {
  std::string redis;                    // host:port
  std::string kafka;                    // host:port, when the broker is Kafka
  std::string webhook = "127.0.0.1:9";  // receiver of the notification binding
};

inline ResourceOptions with_broker(Broker broker) {
  ResourceOptions o;
  o.broker = broker;
  return o;
}

// The checked-in resources with 5 delivery retries (~7.5 s) instead of the ~100 s window.
inline ResourceOptions with_short_retries(Broker broker) {
  auto o = with_broker(broker);
  o.delivery_retries = 5;
  return o;
}

// Writes the resources into `dir` and returns it.
std::filesystem::path render_resources(const ResourceOptions& options, const Endpoints& endpoints,
                                       const std::filesystem::path& dir);
// dapr/config.yaml, used as it is.
std::filesystem::path dapr_config();

}  // namespace tew::e2e
