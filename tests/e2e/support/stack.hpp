// One e2e run's world: a private directory, Redis (state store, and pub/sub when the broker is
// Redis), a Kafka node when the broker is Kafka, the checked-in dapr/ resources rendered for
// them, and helpers that start daprd sidecars and tew-test-app replicas beside them. Refuses to
// start outside a network namespace that has only lo. Everything stops when it goes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "child_process.hpp"
#include "dapr_resources.hpp"
#include "daprd.hpp"
#include "kafka_node.hpp"
#include "redis_server.hpp"
#include "scripted_app.hpp"
#include "temp_dir.hpp"

namespace tew::e2e {

struct Tokens {
  std::string app;   // APP_API_TOKEN on both daprd and the app
  std::string dapr;  // DAPR_API_TOKEN on both daprd and the app
};

// tew-test-app (or another service binary) and its sidecar.
struct AppReplica {
  std::unique_ptr<testing::ChildProcess> process;
  std::unique_ptr<Daprd> daprd;
  std::uint16_t port = 0;
  std::string log() const { return process->output(); }
  void stop();  // the app first (SIGTERM, graceful), then its sidecar
};

class Stack {
 public:
  explicit Stack(ResourceOptions options = {});

  Broker broker() const { return options_.broker; }
  const RedisServer& redis() const { return redis_; }
  const KafkaNode* kafka() const { return kafka_.get(); }
  const std::filesystem::path& resources() const { return resources_; }

  // A sidecar for an app already listening on `app_port` (0: none).
  std::unique_ptr<Daprd> sidecar(const std::string& app_id, std::uint16_t app_port,
                                 const Tokens& tokens = {}, std::uint16_t http_port = 0) const;
  // A sidecar for an in-process app.
  std::unique_ptr<Daprd> sidecar(const std::string& app_id, const ScriptedApp& app) const {
    return sidecar(app_id, app.port());
  }
  // A service binary with its own sidecar; `env` adds to (or overrides) APP_ID, APP_PORT,
  // DAPR_HTTP_PORT, the tokens and LOG_FORMAT=text.
  AppReplica start_app(const std::string& binary, const std::string& app_id,
                       std::map<std::string, std::string> env = {},
                       const Tokens& tokens = {}) const;

 private:
  ResourceOptions options_;
  TempDir dir_;
  RedisServer redis_;
  std::unique_ptr<KafkaNode> kafka_;
  std::filesystem::path resources_;
};

// The last `lines` lines of a log, for failure messages.
std::string tail(const std::string& log, std::size_t lines = 40);

}  // namespace tew::e2e
