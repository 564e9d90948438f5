// The checked-in dapr/ files, made usable for one e2e run: copied into a per-run resources
// directory with only the endpoints rewritten (Redis, Kafka and webhook ports differ per run,
// the secrets file gets an absolute path). Nothing else changes, so the tests run the very
// files a user runs; an endpoint the renderer does not know is an error, not a silent copy.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tew::e2e {

enum class Broker { redis, kafka };
std::string_view to_string(Broker broker);

struct ResourceOptions {
  Broker broker = Broker::redis;
  bool resiliency = true;                  // dapr/resiliency.yaml
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

// Writes the resources into `dir` and returns it.
std::filesystem::path render_resources(const ResourceOptions& options, const Endpoints& endpoints,
                                       const std::filesystem::path& dir);
// dapr/config.yaml, used as it is.
std::filesystem::path dapr_config();

}  // namespace tew::e2e
