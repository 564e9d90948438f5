// The HTTP/1.1 server under the Dapr app contract: one coroutine per connection that reads,
// handles, writes in a loop (keep-alive), with body/header limits and a read timeout, and a
// graceful stop that lets requests in flight finish up to a deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace tew {

namespace asio = boost::asio;
namespace http = boost::beast::http;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
// Handlers do not know about sockets: a request in, a response out.
using RequestHandler = std::function<asio::awaitable<HttpResponse>(HttpRequest&)>;

struct HttpLimits {
  std::size_t max_body_bytes = 1024 * 1024;        // larger → 413
  std::size_t max_header_bytes = 16 * 1024;        // larger → 431
  std::chrono::milliseconds read_timeout{10'000};  // a whole request must arrive in this time
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive connection with no request
};

class HttpServer {
 public:
  // Binds and listens at once (port 0 picks an ephemeral port, see local_endpoint()).
  HttpServer(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, HttpLimits limits,
             RequestHandler handler);
  ~HttpServer();

  asio::ip::tcp::endpoint local_endpoint() const;
  void start();  // spawns the accept loop on the io_context
  // Serves a connection accepted elsewhere exactly as an accepted one (the fuzz harness feeds
  // raw bytes through a socket pair this way).
  void serve(asio::ip::tcp::socket connection);
  // Stops accepting, closes idle connections, lets requests in flight finish and answer
  // (with Connection: close) until `grace` runs out, then closes whatever remains.
  asio::awaitable<void> stop(std::chrono::milliseconds grace);
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tew
