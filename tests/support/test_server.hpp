// Runs an HttpServer on an ephemeral 127.0.0.1 port in a background thread, for tests that
// talk to it over real sockets. Stops gracefully on destruction.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include "tew/http_server.hpp"

namespace tew::testing {

class TestServer {
 public:
  TestServer(RequestHandler handler, HttpLimits limits = {});
  ~TestServer();

  std::uint16_t port() const { return port_; }
  HttpServer& server() { return *server_; }
  // Runs HttpServer::stop(grace) on the server's thread and waits for it to finish.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

 private:
  boost::asio::io_context io_{1};
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace tew::testing
