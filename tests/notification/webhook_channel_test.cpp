// The webhook channel: what it sends, what each answer means, and the real libcurl transport
// against a local HTTP server (headers, timeout, refused connection, the io thread kept free).
#include "notification/webhook_channel.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

#include "child_process.hpp"
#include "fake_http_delivery.hpp"
#include "notification/curl_http_delivery.hpp"
#include "run_awaitable.hpp"
#include "sample_notification.hpp"
#include "test_server.hpp"

namespace {

using namespace std::chrono_literals;
using tew::CloudEvent;
using tew::notification::CurlHttpDelivery;
using tew::notification::Delivery;
using tew::notification::DeliveryStatus;
using tew::notification::HttpAnswer;
using tew::notification::Notification;
using tew::notification::WebhookChannel;
using tew::notification::WebhookOptions;
using tew::notification::testing::FakeHttpDelivery;
using tew::testing::run_awaitable;
using tew::testing::TestServer;

Notification sample() {
  return tew::notification::testing::sample_notification("webhook");
}

CloudEvent cause() {
  CloudEvent e;
  e.id = "e-1";
  e.source = "reminder";
  e.type = "reminder.due";
  e.extensions = {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  return e;
}

WebhookOptions options(std::string url = "http://127.0.0.1:9/hook") {
  WebhookOptions o;
  o.url = std::move(url);
  o.timeout = 5s;
  return o;
}

Delivery deliver(WebhookChannel& channel) {
  return run_awaitable(channel.deliver(sample(), cause()));
}

// What a local webhook receiver saw.
struct Received {
  std::mutex mutex;
  std::vector<tew::HttpRequest> requests;
};

tew::RequestHandler receiver(Received& received, tew::http::status status, std::string body) {
  return
      [&received, status, body](tew::HttpRequest& req) -> tew::asio::awaitable<tew::HttpResponse> {
        {
          const std::lock_guard lock(received.mutex);
          received.requests.push_back(req);
        }
        tew::HttpResponse res{status, req.version()};
        res.body() = body;
        res.prepare_payload();
        co_return res;
      };
}

tew::RequestHandler slow_receiver(std::chrono::milliseconds delay) {
  return [delay](tew::HttpRequest& req) -> tew::asio::awaitable<tew::HttpResponse> {
    tew::asio::steady_timer timer(co_await tew::asio::this_coro::executor, delay);
    co_await timer.async_wait(tew::asio::as_tuple(tew::asio::use_awaitable));
    co_return tew::HttpResponse{tew::http::status::ok, req.version()};
  };
}

}  // namespace

TEST_CASE("the webhook POSTs the notification JSON with its Idempotency-Key and traceparent") {
  FakeHttpDelivery http;
  WebhookChannel channel(http, options("https://hooks.example.com/n?token=abc"));
  CHECK(deliver(channel).status == DeliveryStatus::delivered);
  const auto posts = http.posts();
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].url == "https://hooks.example.com/n?token=abc");
  CHECK(posts[0].content_type == "application/json");
  CHECK(nlohmann::json::parse(posts[0].body) == tew::notification::to_json(sample()));
  CHECK(posts[0].timeout == 5s);
  using Header = std::pair<std::string, std::string>;
  CHECK(posts[0].headers ==
        std::vector<Header>{
            {"Idempotency-Key", "6f1e3c2a-0d4b-5e8f-9a7c-1b2d3e4f5a6b"},
            {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
}

TEST_CASE("a 2xx answer is delivered") {
  for (const int status : {200, 201, 202, 204}) {
    CAPTURE(status);
    CHECK(tew::notification::webhook_delivery(status, "").status == DeliveryStatus::delivered);
  }
}

TEST_CASE("a 4xx answer is refused for good, naming the status and the start of the answer") {
  for (const int status : {400, 401, 403, 404, 410, 413, 422}) {
    CAPTURE(status);
    const auto d = tew::notification::webhook_delivery(status, "bad\nrequest ");
    CHECK(d.status == DeliveryStatus::refused);
    CHECK(d.detail == "webhook answered HTTP " + std::to_string(status) + ": bad request");
  }
  const auto long_body = tew::notification::webhook_delivery(400, std::string(1000, 'x'));
  CHECK(long_body.detail.size() < 300);
  CHECK(long_body.detail.ends_with("..."));
}

TEST_CASE("408, 429, 5xx and other statuses fail for now, to be retried") {
  for (const int status : {408, 429, 500, 502, 503, 504, 302, 100}) {
    CAPTURE(status);
    CHECK(tew::notification::webhook_delivery(status, "").status ==
          DeliveryStatus::failed_transient);
  }
}

TEST_CASE("through the channel: 204 delivered, 400 refused, 503 and a timeout retried") {
  FakeHttpDelivery http;
  WebhookChannel channel(http, options());
  http.script(HttpAnswer{204, ""});
  http.script(HttpAnswer{400, "{\"error\":\"unknown user\"}"});
  http.script(HttpAnswer{503, "busy"});
  http.script(tew::Error::unavailable("webhook", "timed out: Operation timed out after 5000 ms"));

  CHECK(deliver(channel).status == DeliveryStatus::delivered);
  const auto refused = deliver(channel);
  CHECK(refused.status == DeliveryStatus::refused);
  CHECK(refused.detail == "webhook answered HTTP 400: {\"error\":\"unknown user\"}");
  CHECK(deliver(channel).status == DeliveryStatus::failed_transient);
  const auto timed_out = deliver(channel);
  CHECK(timed_out.status == DeliveryStatus::failed_transient);
  CHECK(timed_out.detail == "webhook: timed out: Operation timed out after 5000 ms");
}

TEST_CASE("real libcurl: the receiver gets the JSON body, Content-Type and Idempotency-Key") {
  Received received;
  TestServer server(receiver(received, tew::http::status::accepted, "queued"));
  CurlHttpDelivery http(2);
  WebhookChannel channel(http, options("http://127.0.0.1:" + std::to_string(server.port()) +
                                       "/hooks/notify?token=abc"));
  const auto d = deliver(channel);
  CHECK(d.status == DeliveryStatus::delivered);
  CHECK(d.detail == "webhook answered HTTP 202");

  const std::lock_guard lock(received.mutex);
  REQUIRE(received.requests.size() == 1);
  const auto& req = received.requests[0];
  CHECK(req.method() == tew::http::verb::post);
  CHECK(req.target() == "/hooks/notify?token=abc");
  CHECK(req["Idempotency-Key"] == "6f1e3c2a-0d4b-5e8f-9a7c-1b2d3e4f5a6b");
  CHECK(req[tew::http::field::content_type] == "application/json");
  CHECK(req["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(nlohmann::json::parse(req.body()) == tew::notification::to_json(sample()));
}

TEST_CASE("real libcurl: a 4xx answer is refused with the receiver's words") {
  Received received;
  TestServer server(receiver(received, tew::http::status::unprocessable_entity, "no such user"));
  CurlHttpDelivery http(1);
  WebhookChannel channel(http, options("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
  const auto d = deliver(channel);
  CHECK(d.status == DeliveryStatus::refused);
  CHECK(d.detail == "webhook answered HTTP 422: no such user");
}

TEST_CASE("real libcurl: a receiver slower than the timeout fails for now") {
  TestServer server(slow_receiver(3s));
  CurlHttpDelivery http(1);
  auto o = options("http://127.0.0.1:" + std::to_string(server.port()) + "/");
  o.timeout = 200ms;
  WebhookChannel channel(http, o);
  const auto started = std::chrono::steady_clock::now();
  const auto d = deliver(channel);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  CHECK(d.status == DeliveryStatus::failed_transient);
  CHECK(d.detail.starts_with("webhook: timed out"));
  server.stop(0ms);
}

TEST_CASE("real libcurl: nobody listening fails for now") {
  CurlHttpDelivery http(1);
  WebhookChannel channel(
      http, options("http://127.0.0.1:" + std::to_string(tew::testing::free_port()) + "/"));
  const auto d = deliver(channel);
  CHECK(d.status == DeliveryStatus::failed_transient);
  CHECK(d.detail.starts_with("webhook: could not connect"));
}

TEST_CASE("real libcurl: a slow webhook does not block the io thread") {
  TestServer server(slow_receiver(600ms));
  CurlHttpDelivery http(1);
  WebhookChannel channel(http, options("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
  tew::asio::io_context io{1};
  std::atomic<bool> delivered{false};
  std::atomic<bool> timer_fired_while_posting{false};
  tew::asio::co_spawn(
      io,
      [&]() -> tew::asio::awaitable<void> {
        const auto d = co_await channel.deliver(sample(), cause());
        CHECK(d.status == DeliveryStatus::delivered);
        delivered = true;
      },
      tew::asio::detached);
  tew::asio::co_spawn(
      io,
      [&]() -> tew::asio::awaitable<void> {
        tew::asio::steady_timer timer(co_await tew::asio::this_coro::executor, 50ms);
        co_await timer.async_wait(tew::asio::use_awaitable);
        timer_fired_while_posting = !delivered;
      },
      tew::asio::detached);
  io.run();
  CHECK(delivered);
  CHECK(timer_fired_while_posting);
}

TEST_CASE("a stopped CurlHttpDelivery fails POSTs at once") {
  CurlHttpDelivery http(1);
  http.stop();
  WebhookChannel channel(http, options());
  const auto d = deliver(channel);
  CHECK(d.status == DeliveryStatus::failed_transient);
  CHECK(d.detail == "webhook: client stopped");
}
