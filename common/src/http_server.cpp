#include "tew/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <list>

#include "tew/log.hpp"

namespace tew {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

HttpResponse plain_response(http::status status, std::string body, unsigned version) {
  HttpResponse res{status, version};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

// The answer to a request that could not be read, or nothing when the connection just ends.
std::optional<HttpResponse> answer_to_read_error(const beast::error_code& ec,
                                                 const HttpLimits& limits) {
  if (ec == http::error::body_limit)
    return plain_response(
        http::status::payload_too_large,
        "request body larger than " + std::to_string(limits.max_body_bytes) + " bytes\n", 11);
  if (ec == http::error::header_limit)
    return plain_response(
        http::status::request_header_fields_too_large,
        "request header larger than " + std::to_string(limits.max_header_bytes) + " bytes\n", 11);
  // A timed-out stream is already closed by Beast: the slow client is simply cut off.
  if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
      ec == http::error::partial_message)
    return std::nullopt;
  return plain_response(http::status::bad_request, "malformed request: " + ec.message() + "\n", 11);
}

}  // namespace

// All state is touched only from the io_context's thread (the service runs it on one).
struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  struct Connection {
    beast::tcp_stream* stream;
    bool busy;            // a request has been read and is being handled or answered
    bool unread = false;  // answered a request that was not read to its end (413, 431, 400)
  };

  Impl(asio::io_context& io, const tcp::endpoint& endpoint, HttpLimits l, RequestHandler h)
      : acceptor(io, endpoint), limits(l), handler(std::move(h)) {}

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopping) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) break;
        log_warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    auto self = shared_from_this();
    beast::tcp_stream stream(std::move(socket));
    auto conn = connections.insert(connections.end(), Connection{&stream, false});
    ++open;
    beast::flat_buffer buffer;
    while (!stopping) {
      auto res = co_await serve_one(stream, buffer, *conn);
      if (!res) break;
      const bool keep_alive = res->keep_alive() && !stopping;
      res->keep_alive(keep_alive);
      stream.expires_after(limits.read_timeout);
      auto [ec, n] = co_await http::async_write(stream, *res, use_tuple);
      conn->busy = false;
      if (ec || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (conn->unread) co_await drain(stream);
    stream.close();
    connections.erase(conn);
    --open;
  }

  std::optional<HttpResponse> refused(const beast::error_code& ec, Connection& conn) const {
    auto answer = answer_to_read_error(ec, limits);
    conn.unread = answer.has_value();
    return answer;
  }

  // A client still sending the request we refused would, were the socket closed with its bytes
  // unread, get a reset that can arrive before it reads the answer (a write error instead of
  // 413). So what it sends is read and dropped until it closes its side, bounded in time and
  // bytes (the answer is on its way meanwhile: our side is already shut down for sending).
  asio::awaitable<void> drain(beast::tcp_stream& stream) const {
    stream.expires_after(std::min<std::chrono::milliseconds>(limits.read_timeout, kLinger));
    std::array<char, 16 * 1024> sink;
    for (std::size_t dropped = 0; dropped < 4 * limits.max_body_bytes;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
      if (ec) break;
      dropped += n;
    }
  }
  static constexpr std::chrono::milliseconds kLinger{2000};

  // Reads one request and produces its answer; nothing when the connection should close.
  asio::awaitable<std::optional<HttpResponse>> serve_one(beast::tcp_stream& stream,
                                                         beast::flat_buffer& buffer,
                                                         Connection& conn) {
    if (buffer.size() == 0) {
      // Idle keep-alive connection: wait for the first byte of the next request.
      stream.expires_after(limits.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
      if (ec) co_return std::nullopt;
      buffer.commit(n);
    }
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    // The whole request, header and body, must arrive within read_timeout.
    stream.expires_after(limits.read_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (hec) co_return refused(hec, conn);
    if (parser.get()[http::field::expect] == "100-continue") {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      auto [cec, cn] = co_await http::async_write(stream, cont, use_tuple);
      if (cec) co_return std::nullopt;
    }
    if (!parser.is_done()) {
      auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_tuple);
      if (bec) co_return refused(bec, conn);
    }
    conn.busy = true;
    stream.expires_never();
    HttpRequest req = parser.release();
    HttpResponse res;
    try {
      res = co_await handler(req);
    } catch (const std::exception& e) {
      log_error("request handler failed",
                {{"target", std::string(req.target())}, {"error", e.what()}});
      res = plain_response(http::status::internal_server_error, "internal error\n", req.version());
    }
    res.version(req.version());
    if (!req.keep_alive()) res.keep_alive(false);
    res.prepare_payload();
    // A HEAD answer has the headers of the GET answer and no body (RFC 9110 §9.3.2): a body
    // would be read as the start of the next answer on the connection.
    if (req.method() == http::verb::head) res.body().clear();
    co_return res;
  }

  asio::awaitable<void> stop(std::chrono::milliseconds grace) {
    auto self = shared_from_this();
    stopping = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    // Idle connections (waiting for a request, or half-way through reading one) close now;
    // busy ones finish their request and answer with Connection: close.
    for (auto& c : connections)
      if (!c.busy) c.stream->cancel();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer timer(acceptor.get_executor());
    while (!connections.empty() && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(5));
      co_await timer.async_wait(use_tuple);
    }
    // Past the deadline: whatever is left is cut off; its events stay unacknowledged, so
    // daprd redelivers them.
    for (auto& c : connections)
      c.stream->cancel();
  }

  tcp::acceptor acceptor;
  HttpLimits limits;
  RequestHandler handler;
  bool stopping = false;
  std::list<Connection> connections;  // touched on the io_context's thread only
  std::atomic<std::size_t> open{0};   // its size, readable from any thread
};

HttpServer::HttpServer(asio::io_context& io, const tcp::endpoint& endpoint, HttpLimits limits,
                       RequestHandler handler)
    : impl_(std::make_shared<Impl>(io, endpoint, limits, std::move(handler))) {}

HttpServer::~HttpServer() = default;

tcp::endpoint HttpServer::local_endpoint() const {
  return impl_->acceptor.local_endpoint();
}

void HttpServer::start() {
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(), asio::detached);
}

void HttpServer::serve(tcp::socket connection) {
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->session(std::move(connection)),
                 asio::detached);
}

asio::awaitable<void> HttpServer::stop(std::chrono::milliseconds grace) {
  return impl_->stop(grace);
}

// Safe from any thread: tests and probes read it while the io_context runs.
std::size_t HttpServer::open_connections() const {
  return impl_->open.load();
}

}  // namespace tew
