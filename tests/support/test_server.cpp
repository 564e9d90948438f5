#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

namespace tew::testing {

namespace asio = boost::asio;

TestServer::TestServer(RequestHandler handler, HttpLimits limits) {
  server_ = std::make_unique<HttpServer>(
      io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), limits,
      std::move(handler));
  port_ = server_->local_endpoint().port();
  server_->start();
  thread_ = std::thread([this] { io_.run(); });
}

void TestServer::stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  auto done = asio::co_spawn(io_, server_->stop(grace), asio::use_future);
  done.wait();
  io_.stop();
  thread_.join();
}

TestServer::~TestServer() {
  stop();
}

}  // namespace tew::testing
