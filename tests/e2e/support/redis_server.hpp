// A throw-away redis-server for one e2e run: 127.0.0.1 and a free port, no persistence, ready
// once it answers PING. Stopped (SIGKILL) when the object goes, also when a test fails.
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
  explicit RedisServer(const std::filesystem::path& dir);

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // One command (inline protocol), its reply as redis-cli --raw would print the first line.
  std::string command(const std::string& line) const;
  std::string log() const { return process_->output(); }

 private:
  std::uint16_t port_;
  std::unique_ptr<testing::ChildProcess> process_;
};

}  // namespace tew::e2e
