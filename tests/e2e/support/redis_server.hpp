// A throw-away redis-server for one e2e run: 127.0.0.1 and a free port, ready once it answers
// PING. No persistence, or durable: an append-only file fsynced on every write, so that a
// kill -9 and restart() loses nothing it acknowledged (as a production Redis with AOF would).
// Stopped (SIGKILL) when the object goes, also when a test fails.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace tew::e2e {

class RedisServer {
 public:
  explicit RedisServer(const std::filesystem::path& dir, bool durable = false);

  // kill -9, then a new redis-server on the same port and directory, ready again.
  void restart();

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // One command (inline protocol), its reply as redis-cli --raw would print the first line.
  std::string command(const std::string& line) const;
  std::string log() const { return previous_logs_ + process_->output(); }

 private:
  void start();

  std::filesystem::path dir_;
  bool durable_;
  std::uint16_t port_;
  std::string previous_logs_;
  std::unique_ptr<testing::ChildProcess> process_;
};

}  // namespace tew::e2e
