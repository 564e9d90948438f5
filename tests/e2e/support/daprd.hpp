// One real daprd sidecar for an e2e run. Every listener is on 127.0.0.1 (HTTP and gRPC API,
// internal gRPC), metrics are off, the app channel is 127.0.0.1, DAPR_HOST_IP is 127.0.0.1
// (no host-address lookup), and the Configuration names a resolver without network I/O.
// SIGKILLed when the object goes, also when a test fails; stop() is the graceful way.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"

namespace tew::e2e {

struct DaprdOptions {
  std::string app_id;
  std::uint16_t app_port = 0;   // 0: no app channel
  std::uint16_t http_port = 0;  // 0: a free one (set it when the app must know it first)
  std::vector<std::filesystem::path> resources;
  std::filesystem::path config;
  std::string app_api_token;   // daprd sends it to the app (APP_API_TOKEN)
  std::string dapr_api_token;  // daprd requires it on its API (DAPR_API_TOKEN)
  std::string log_level = "info";
};

class Daprd {
 public:
  // Starts daprd and waits until GET /v1.0/healthz answers 204 (components loaded, app
  // channel open, subscriptions read), at most `timeout`. The app must be listening by then.
  explicit Daprd(DaprdOptions options, std::chrono::seconds timeout = std::chrono::seconds(60));

  std::uint16_t http_port() const { return http_port_; }
  const DaprdOptions& options() const { return options_; }
  std::string log() const { return process_->output(); }
  // From launch until /v1.0/healthz answered 204.
  std::chrono::milliseconds startup_time() const { return startup_time_; }

  // One request to daprd's HTTP API (the API token added when set).
  testing::Response get(const std::string& target) const;
  testing::Response post(const std::string& target, const std::string& body,
                         const std::string& content_type, testing::Headers extra = {}) const;
  // POST /v1.0/publish/pubsub/<topic>: plain JSON as the task backend sends it, or a full
  // CloudEvent (application/cloudevents+json) whose id daprd keeps. Returns the HTTP status.
  int publish(const std::string& topic, const nlohmann::json& body,
              const std::string& content_type = "application/json",
              const std::string& pubsub = "pubsub") const;
  // GET /v1.0/metadata `subscriptions`: [{pubsubname, topic, deadLetterTopic, rules, type}].
  nlohmann::json subscriptions() const;

  // SIGTERM and wait for a clean exit (daprd drains for up to 1 s).
  void stop();

 private:
  DaprdOptions options_;
  std::uint16_t http_port_;
  std::unique_ptr<testing::ChildProcess> process_;
  std::chrono::milliseconds startup_time_{0};
};

}  // namespace tew::e2e
