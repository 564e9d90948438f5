// One e2e run's world: a private directory, Redis (state store, and pub/sub when the broker is
// Redis), a Kafka node when the broker is Kafka, the checked-in dapr/ resources rendered for
// them, and helpers that start daprd sidecars and tew-test-app replicas beside them. Refuses to
// start outside a network namespace that has only lo. Everything stops when it goes.
#pragma once

#include <chrono>
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
  std::string binary;
  std::map<std::string, std::string> env;  // the app's whole environment
  Tokens tokens;
  std::string earlier_app_logs;    // of processes this replica had before a restart
  std::string earlier_daprd_logs;  // likewise of its sidecars
  std::string log() const { return earlier_app_logs + process->output(); }
  std::string daprd_log() const { return earlier_daprd_logs + daprd->log(); }
  void stop();  // the app first (SIGTERM, graceful), then its sidecar
};

class Stack {
 public:
  // `durable_redis`: Redis keeps an fsynced append-only file, so redis().restart() loses nothing.
  explicit Stack(ResourceOptions options = {}, bool durable_redis = false);

  Broker broker() const { return options_.broker; }
  const RedisServer& redis() const { return redis_; }
  RedisServer& redis() { return redis_; }
  const KafkaNode* kafka() const { return kafka_.get(); }
  KafkaNode* kafka() { return kafka_.get(); }
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
  // Ends the replica's app with `signo` (SIGKILL: kill -9; SIGTERM: graceful, waited for) and
  // starts it again `down` after it exited, with the same environment and port; its sidecar
  // keeps running. Returns the exit code.
  int restart_app(AppReplica& replica, int signo,
                  std::chrono::milliseconds down = std::chrono::milliseconds(0)) const;
  // kill -9 of the replica's daprd, then `down` later a new one on the same ports, healthy.
  void restart_sidecar(AppReplica& replica,
                       std::chrono::milliseconds down = std::chrono::milliseconds(0)) const;

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
