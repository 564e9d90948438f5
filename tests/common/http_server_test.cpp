#include "tew/http_server.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "http_client.hpp"
#include "test_server.hpp"

using namespace tew;
using tew::testing::HttpClient;
using tew::testing::TestServer;
using namespace std::chrono_literals;

namespace {

asio::awaitable<HttpResponse> echo(HttpRequest& req) {
  HttpResponse res{http::status::ok, req.version()};
  res.body() = std::string(req.target()) + "|" + req.body();
  res.keep_alive(req.keep_alive());
  co_return res;
}

// Answers after `delay`, counting requests that completed.
RequestHandler slow(std::chrono::milliseconds delay, std::atomic<int>& finished) {
  return [delay, &finished](HttpRequest& req) -> asio::awaitable<HttpResponse> {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    ++finished;
    co_return co_await echo(req);
  };
}

}  // namespace

TEST_CASE("keep-alive connection serves several requests in order") {
  TestServer server(echo);
  HttpClient client(server.port());
  for (int i = 0; i < 3; ++i) {
    auto res = client.post("/r" + std::to_string(i), "body", "text/plain");
    CHECK(res.result() == http::status::ok);
    CHECK(res.body() == "/r" + std::to_string(i) + "|body");
    CHECK(res.keep_alive());
  }
  CHECK(server.server().open_connections() == 1);
}

TEST_CASE("body larger than the limit is answered 413 and the connection closed") {
  HttpLimits limits;
  limits.max_body_bytes = 1024;
  TestServer server(echo, limits);
  HttpClient client(server.port());
  auto res = client.post("/big", std::string(1025, 'x'), "text/plain");
  CHECK(res.result() == http::status::payload_too_large);
  CHECK(client.closed_by_server());

  HttpClient ok(server.port());
  CHECK(ok.post("/small", std::string(1024, 'x'), "text/plain").result() == http::status::ok);
}

TEST_CASE("chunked body growing past the limit is answered 413") {
  HttpLimits limits;
  limits.max_body_bytes = 1024;
  TestServer server(echo, limits);
  HttpClient client(server.port());
  client.write_raw(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "400\r\n" +
      std::string(1024, 'a') + "\r\n10\r\n" + std::string(16, 'b') + "\r\n0\r\n\r\n");
  CHECK(client.read_response().result() == http::status::payload_too_large);
}

TEST_CASE("header larger than the limit is answered 431") {
  HttpLimits limits;
  limits.max_header_bytes = 1024;
  TestServer server(echo, limits);
  HttpClient client(server.port());
  auto res = client.get("/h", {{"x-padding", std::string(2048, 'p')}});
  CHECK(res.result() == http::status::request_header_fields_too_large);
}

TEST_CASE("a client that sends its request too slowly is cut off by the read timeout") {
  HttpLimits limits;
  limits.read_timeout = 200ms;
  TestServer server(echo, limits);
  HttpClient client(server.port());
  const auto started = std::chrono::steady_clock::now();
  client.write_raw("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  CHECK(client.closed_by_server(3000ms));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(elapsed >= 150ms);
  CHECK(elapsed < 2000ms);
}

TEST_CASE("malformed request line is answered 400") {
  TestServer server(echo);
  HttpClient client(server.port());
  client.write_raw("THIS IS NOT HTTP\r\n\r\n");
  CHECK(client.read_response().result() == http::status::bad_request);
}

TEST_CASE("a HEAD answer carries no body, so the next answer on the connection stays intact") {
  TestServer server(echo);
  asio::io_context io;
  asio::ip::tcp::socket client(io);
  client.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  asio::write(client, asio::buffer(std::string_view("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"
                                                    "GET /g HTTP/1.1\r\nHost: x\r\n\r\n")));
  // Read raw: the answer to HEAD announces the GET body's length but sends none.
  std::string raw;
  char chunk[1024];
  boost::system::error_code ec;
  while (!ec && raw.find("/g|") == std::string::npos)
    raw.append(chunk, client.read_some(asio::buffer(chunk), ec));
  CHECK(raw.starts_with("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\n"));
  CHECK(raw.ends_with("\r\n\r\n/g|"));
}

TEST_CASE("Expect: 100-continue gets an interim answer before the body is sent") {
  TestServer server(echo);
  HttpClient client(server.port());
  client.write_raw(
      "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  auto interim = client.read_response();
  CHECK(interim.result() == http::status::continue_);
  client.write_raw("data");
  auto res = client.read_response();
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == "/e|data");
}

TEST_CASE("a handler that throws is answered 500 without killing the server") {
  TestServer server([](HttpRequest&) -> asio::awaitable<HttpResponse> {
    throw std::runtime_error("boom");
    co_return HttpResponse{};
  });
  HttpClient client(server.port());
  CHECK(client.get("/x").result() == http::status::internal_server_error);
  HttpClient again(server.port());
  CHECK(again.get("/x").result() == http::status::internal_server_error);
}

TEST_CASE("graceful stop lets a request in flight finish and closes idle connections") {
  std::atomic<int> finished{0};
  TestServer server(slow(300ms, finished));
  HttpClient idle(server.port());
  HttpClient busy(server.port());
  busy.write_raw("POST /inflight HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz");
  std::this_thread::sleep_for(50ms);  // the request is being handled

  auto stopped = std::async(std::launch::async, [&] { server.stop(5000ms); });
  auto res = busy.read_response();
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == "/inflight|z");
  CHECK_FALSE(res.keep_alive());
  stopped.get();
  CHECK(finished == 1);
  CHECK(idle.closed_by_server());
}

TEST_CASE("graceful stop gives up on requests still running at the deadline") {
  std::atomic<int> finished{0};
  TestServer server(slow(5000ms, finished));
  HttpClient busy(server.port());
  busy.write_raw("POST /stuck HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz");
  std::this_thread::sleep_for(50ms);
  const auto started = std::chrono::steady_clock::now();
  server.stop(200ms);
  CHECK(std::chrono::steady_clock::now() - started < 2000ms);
  CHECK(finished == 0);
}
