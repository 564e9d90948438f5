// Hostile input against a DaprApp behind the real HttpServer, over real sockets: oversized and
// malformed requests, slow clients, JSON nesting bombs and huge arrays, invalid UTF-8, and the
// API token. Each answer is one daprd understands (a poison message is DROPped, never retried
// forever), the server keeps serving, and nothing secret or invalid reaches the logs.
#include <doctest/doctest.h>
#include <netinet/tcp.h>

#include <boost/asio/write.hpp>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "captured_log.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "http_client.hpp"
#include "test_server.hpp"
#include "tew/dapr_app.hpp"
#include "tew/memory_dedup_store.hpp"
#include "tew/metrics.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using tew::testing::CapturedLog;
using tew::testing::HttpClient;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kToken = "app-t0ken-4f1d9c";

// One topic route, /orders, with bulk delivery on; its handler records what it got.
class App {
 public:
  explicit App(tew::HttpLimits limits = {}) {
    tew::TopicSubscription orders{"pubsub", "orders", "/orders", std::nullopt, "dead", {}, {}};
    orders.bulk.enabled = true;
    app_.on_topic(orders,
                  [this](const tew::EventContext& ctx) -> tew::asio::awaitable<tew::Outcome> {
                    const std::lock_guard lock(mutex_);
                    events_.push_back(ctx.event);
                    co_return tew::Outcome::success();
                  });
    app_.mark_started();
    server_.emplace([this](tew::HttpRequest& req) { return app_.handle(req); }, limits);
  }

  std::uint16_t port() const { return server_->port(); }
  std::vector<tew::CloudEvent> events() const {
    const std::lock_guard lock(mutex_);
    return events_;
  }
  std::string metrics() const { return metrics_.render(); }

 private:
  tew::testing::FakeClock clock_;
  tew::testing::FakeSidecar sidecar_{clock_};
  tew::MemoryDedupStore dedup_{clock_, {}, 1'000'000};
  tew::Metrics metrics_;
  tew::DaprApp app_{{dedup_, sidecar_, metrics_, clock_}, {"hostile", "", kToken}};
  mutable std::mutex mutex_;
  std::vector<tew::CloudEvent> events_;
  std::optional<tew::testing::TestServer> server_;  // last: stopped before the app goes
};

std::string event_body(std::string_view id, std::string_view data = "{}") {
  return R"({"specversion":"1.0","id":")" + std::string(id) +
         R"(","source":"s","type":"order","datacontenttype":"application/json","data":)" +
         std::string(data) + "}";
}

std::string request_head(std::string_view extra_headers) {
  return "POST /orders HTTP/1.1\r\nHost: x\r\ndapr-api-token: " + kToken +
         "\r\nContent-Type: application/cloudevents+json\r\n" + std::string(extra_headers) + "\r\n";
}

std::string status_of(const tew::testing::Response& res) {
  REQUIRE(res.result() == tew::http::status::ok);
  return json::parse(res.body()).at("status").get<std::string>();
}

// Every log line is JSON that a strict parser accepts (so valid UTF-8) and has a message.
void check_json_lines(const CapturedLog& log) {
  for (const auto& line : log.lines()) {
    CAPTURE(line);
    const auto parsed = json::parse(line, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    CHECK(parsed.contains("msg"));
  }
}

// The kernel's view of a connection: TCP_ESTABLISHED until the peer closes or resets it.
int tcp_state(boost::asio::ip::tcp::socket& socket) {
  tcp_info info{};
  socklen_t size = sizeof(info);
  REQUIRE(getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) == 0);
  return info.tcpi_state;
}

const tew::LogOptions kJsonLog{"hostile", tew::LogFormat::json, spdlog::level::trace};

}  // namespace

TEST_SUITE("hostile input: sizes and slow clients") {
  TEST_CASE("a declared body over the limit is answered 413 before any of it is sent") {
    App app;
    HttpClient client(app.port());
    const auto started = Clock::now();
    client.write_raw(request_head("Content-Length: 1000000000000\r\n"));
    const auto res = client.read_response();
    CHECK(res.result() == tew::http::status::payload_too_large);
    CHECK(Clock::now() - started < 2s);
    CHECK(client.closed_by_server());
    CHECK(app.events().empty());
  }

  TEST_CASE("a Content-Length beyond 64 bits is answered 400") {
    App app;
    HttpClient client(app.port());
    client.write_raw(request_head("Content-Length: 123456789012345678901234567890\r\n"));
    CHECK(client.read_response().result() == tew::http::status::bad_request);
    CHECK(app.events().empty());
  }

  TEST_CASE("a chunk size over the body limit is answered 413 before the chunk arrives") {
    App app;
    HttpClient client(app.port());
    client.write_raw(request_head("Transfer-Encoding: chunked\r\n") + "7fffffffffffffff\r\n");
    CHECK(client.read_response().result() == tew::http::status::payload_too_large);
    CHECK(app.events().empty());
  }

  TEST_CASE("thousands of small headers adding up past the limit are answered 431") {
    App app;
    HttpClient client(app.port());
    std::string headers;
    for (int i = 0; i < 2000; ++i)
      headers += "x-h" + std::to_string(i) + ": v\r\n";
    client.write_raw(request_head(headers + "Content-Length: 2\r\n") + "{}");
    CHECK(client.read_response().result() == tew::http::status::request_header_fields_too_large);
    CHECK(app.events().empty());
  }

  TEST_CASE("a request trickled in byte by byte is cut off at the read timeout, not per byte") {
    tew::HttpLimits limits;
    limits.read_timeout = 300ms;
    App app(limits);
    HttpClient client(app.port());
    const auto started = Clock::now();
    client.write_raw("POST /orders HTTP/1.1\r\nX-Slow: ");
    bool cut_off = false;
    // Each byte arrives well within the timeout; the whole request never does.
    while (!cut_off && Clock::now() - started < 3s) {
      try {
        client.write_raw("a");
        cut_off = client.closed_by_server(50ms);
      } catch (const boost::system::system_error&) {
        cut_off = true;  // the server closed the connection: EPIPE / ECONNRESET
      }
    }
    CHECK(cut_off);
    CHECK(Clock::now() - started < 2s);
  }

  TEST_CASE("a keep-alive connection left idle is closed after the idle timeout") {
    tew::HttpLimits limits;
    limits.idle_timeout = 200ms;
    App app(limits);
    HttpClient client(app.port());
    CHECK(client.get("/healthz").result() == tew::http::status::ok);
    const auto started = Clock::now();
    CHECK(client.closed_by_server(3000ms));
    CHECK(Clock::now() - started >= 150ms);
  }

  TEST_CASE("a client that never reads its answers is cut off, others are still served") {
    tew::HttpLimits limits;
    limits.read_timeout = 300ms;
    App app(limits);
    // Thousands of pipelined requests whose answers (/metrics, a kilobyte each) fill both
    // socket buffers while the client reads nothing: the server's write times out.
    constexpr int kRequests = 20'000;
    std::string burst;
    for (int i = 0; i < kRequests; ++i)
      burst += "GET /metrics HTTP/1.1\r\nHost: x\r\ndapr-api-token: " + kToken + "\r\n\r\n";
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket stalled(io);
    stalled.open(boost::asio::ip::tcp::v4());
    // A small fixed receive buffer (no autotuning): the answers pile up in the server's.
    stalled.set_option(boost::asio::socket_base::receive_buffer_size(16 * 1024));
    stalled.connect({boost::asio::ip::make_address("127.0.0.1"), app.port()});
    boost::system::error_code write_error;  // the server may hang up before all is sent
    boost::asio::write(stalled, boost::asio::buffer(burst), write_error);
    // The client reads nothing; the server, stuck writing, must give up and hang up.
    const auto started = Clock::now();
    while (tcp_state(stalled) == TCP_ESTABLISHED && Clock::now() - started < 30s)
      std::this_thread::sleep_for(50ms);
    CHECK(tcp_state(stalled) != TCP_ESTABLISHED);

    HttpClient other(app.port());
    CHECK(other.get("/healthz").result() == tew::http::status::ok);
  }
}

TEST_SUITE("hostile input: JSON bombs and huge arrays") {
  TEST_CASE("a nesting bomb is DROPped naming the body, and the app keeps answering") {
    App app;
    CapturedLog log(kJsonLog);
    HttpClient client(app.port());
    const auto bomb = event_body("bomb", std::string(200'000, '['));
    CHECK(status_of(client.post("/orders", bomb, "application/cloudevents+json",
                                {{"dapr-api-token", kToken}})) == "DROP");
    CHECK(log.text().find("body: nesting deeper than 64") != std::string::npos);
    CHECK(app.metrics().find("tew_invalid_events_total{topic=\"orders\"} 1") != std::string::npos);
    CHECK(status_of(client.post("/orders", event_body("ok"), "application/cloudevents+json",
                                {{"dapr-api-token", kToken}})) == "SUCCESS");
    CHECK(app.events().size() == 1);
  }

  TEST_CASE("a nesting bomb inside string data is refused when the payload is read") {
    App app;
    HttpClient client(app.port());
    const auto nested = json(std::string(10'000, '[') + std::string(10'000, ']')).dump();
    CHECK(status_of(client.post("/orders", event_body("str", nested),
                                "application/cloudevents+json", {{"dapr-api-token", kToken}})) ==
          "SUCCESS");
    const auto events = app.events();
    REQUIRE(events.size() == 1);
    const auto payload = events[0].payload_json();
    REQUIRE_FALSE(payload.has_value());
    CHECK(payload.error().describe() == "data: nesting deeper than 64");
  }

  TEST_CASE("a bulk entry holding a nesting bomb as a string is DROPped on its own") {
    App app;
    CapturedLog log(kJsonLog);
    HttpClient client(app.port());
    std::string bomb;
    for (int i = 0; i < 100'000; ++i)
      bomb += R"({"a":)";
    const json bulk = {{"entries",
                        {{{"entryId", "bomb"}, {"event", bomb}},
                         {{"entryId", "ok"}, {"event", json::parse(event_body("ok"))}}}}};
    const auto res =
        client.post("/orders", bulk.dump(), "application/json", {{"dapr-api-token", kToken}});
    REQUIRE(res.result() == tew::http::status::ok);
    CHECK(json::parse(res.body()) == json::parse(R"({"statuses":[{"entryId":"bomb","status":"DROP"},
                                      {"entryId":"ok","status":"SUCCESS"}]})"));
    CHECK(log.text().find("body: nesting deeper than 64") != std::string::npos);
  }

  TEST_CASE("a wide event, 100k array elements or 50k members, is handled in bounded time") {
    App app;
    HttpClient client(app.port());
    std::string array = "[0";
    for (int i = 1; i < 100'000; ++i)
      array += ",0";
    array += "]";
    std::string object = "{";
    for (int i = 0; i < 50'000; ++i)
      object += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
    object += "}";
    const auto started = Clock::now();
    CHECK(status_of(client.post("/orders", event_body("array", array),
                                "application/cloudevents+json", {{"dapr-api-token", kToken}})) ==
          "SUCCESS");
    CHECK(status_of(client.post("/orders", event_body("object", object),
                                "application/cloudevents+json", {{"dapr-api-token", kToken}})) ==
          "SUCCESS");
    CHECK(Clock::now() - started < 20s);
    const auto events = app.events();
    REQUIRE(events.size() == 2);
    CHECK(events[0].data->size() == 100'000);
    CHECK(events[1].data->size() == 50'000);
  }

  TEST_CASE("a bulk delivery of 100k entries is answered entry by entry, within the body limit") {
    tew::HttpLimits limits;
    limits.max_body_bytes = 16 * 1024 * 1024;
    App app(limits);
    CapturedLog log({"hostile", tew::LogFormat::json, spdlog::level::info});
    constexpr int kEntries = 100'000;
    std::string body = R"({"entries":[)";
    for (int i = 0; i < kEntries; ++i) {
      const auto id = std::to_string(i);
      if (i > 0) body += ',';
      // Every tenth entry is not a CloudEvent.
      body += R"({"entryId":")" + id + R"(","event":)" +
              (i % 10 == 0 ? std::string("{}") : event_body("e" + id, "1")) + "}";
    }
    body += "]}";
    HttpClient client(app.port());
    const auto started = Clock::now();
    const auto res = client.post("/orders", body, "application/json", {{"dapr-api-token", kToken}});
    const auto elapsed = Clock::now() - started;
    REQUIRE(res.result() == tew::http::status::ok);
    const auto statuses = json::parse(res.body()).at("statuses");
    REQUIRE(statuses.size() == kEntries);
    CHECK(statuses[0] == json{{"entryId", "0"}, {"status", "DROP"}});
    CHECK(statuses[1] == json{{"entryId", "1"}, {"status", "SUCCESS"}});
    CHECK(app.events().size() == kEntries - kEntries / 10);
    CHECK(log.lines().size() >= kEntries / 10);  // each DROP says why
    MESSAGE("100k bulk entries answered in ",
            std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), " ms");
    CHECK(elapsed < 120s);  // about 5 s in Debug, 40 s under ASan on two busy cores
  }

  TEST_CASE("bulk entries with a non-string entryId or contentType are skipped or DROPped") {
    App app;
    CapturedLog log(kJsonLog);
    HttpClient client(app.port());
    const json bulk = {
        {"entries",
         {{{"entryId", 5}, {"event", json::parse(event_body("n"))}},
          {{"entryId", "ct"}, {"contentType", 7}, {"event", json::parse(event_body("c"))}},
          {{"entryId", "ok"}, {"event", json::parse(event_body("ok"))}},
          "not an object"}}};
    const auto res =
        client.post("/orders", bulk.dump(), "application/json", {{"dapr-api-token", kToken}});
    REQUIRE(res.result() == tew::http::status::ok);
    CHECK(json::parse(res.body()) == json::parse(R"({"statuses":[{"entryId":"ct","status":"DROP"},
                                      {"entryId":"ok","status":"SUCCESS"}]})"));
    CHECK(log.text().find("contentType: must be a string") != std::string::npos);
  }
}

TEST_SUITE("hostile input: invalid UTF-8") {
  TEST_CASE("a structured event with invalid UTF-8 is DROPped naming the body, logs stay JSON") {
    App app;
    CapturedLog log(kJsonLog);
    HttpClient client(app.port());
    CHECK(status_of(client.post("/orders", event_body("bad\xff\xfe"),
                                "application/cloudevents+json", {{"dapr-api-token", kToken}})) ==
          "DROP");
    CHECK(log.text().find("body: invalid JSON") != std::string::npos);
    check_json_lines(log);
    CHECK(app.events().empty());
  }

  TEST_CASE("a content type with invalid UTF-8 is DROPped and its log line stays valid JSON") {
    App app;
    CapturedLog log(kJsonLog);
    HttpClient client(app.port());
    CHECK(status_of(client.post("/orders", event_body("x"), "text/\xc3\x28plain",
                                {{"dapr-api-token", kToken}})) == "DROP");
    CHECK(log.text().find("content-type: unsupported") != std::string::npos);
    check_json_lines(log);
  }

  TEST_CASE("binary mode: a ce- header that is not UTF-8 is DROPped naming it") {
    App app;
    CapturedLog log(kJsonLog);
    HttpClient client(app.port());
    const tew::testing::Headers headers = {{"dapr-api-token", kToken},
                                           {"ce-specversion", "1.0"},
                                           {"ce-id", "id-\xed\xa0\x80"},
                                           {"ce-source", "s"},
                                           {"ce-type", "t"}};
    CHECK(status_of(client.post("/orders", "{}", "application/json", headers)) == "DROP");
    CHECK(log.text().find("ce-id: is not valid UTF-8") != std::string::npos);
    check_json_lines(log);
  }

  TEST_CASE("binary mode: a body that is not JSON is handed over as bytes, invalid UTF-8 too") {
    App app;
    HttpClient client(app.port());
    const std::string bytes("\xff\x00\xfe raw", 7);
    const tew::testing::Headers headers = {{"dapr-api-token", kToken},
                                           {"ce-specversion", "1.0"},
                                           {"ce-id", "bin"},
                                           {"ce-source", "s"},
                                           {"ce-type", "t"}};
    CHECK(status_of(client.post("/orders", bytes, "application/octet-stream", headers)) ==
          "SUCCESS");
    const auto events = app.events();
    REQUIRE(events.size() == 1);
    CHECK(events[0].data_bytes == bytes);
    // Serialized again (for a dead letter or a follow-on), the bytes travel as base64.
    CHECK(tew::to_json(events[0]).dump() ==
          tew::to_json(tew::parse_structured_event(tew::to_json(events[0])).value()).dump());
  }
}

TEST_SUITE("hostile input: the API token") {
  TEST_CASE("without the token, or with a wrong one, every route but health is 401") {
    App app;
    const std::string right(kToken);
    for (const auto& given : {std::string{}, std::string("x"), right.substr(0, right.size() - 1),
                              right + "x", std::string(right.size(), 'a'), right + right}) {
      CAPTURE(given);
      HttpClient client(app.port());
      tew::testing::Headers headers = {{"dapr-api-token", given}};
      CHECK(client.post("/orders", event_body("t"), "application/cloudevents+json", headers)
                .result() == tew::http::status::unauthorized);
      HttpClient other(app.port());
      CHECK(other.get("/dapr/subscribe", headers).result() == tew::http::status::unauthorized);
    }
    HttpClient none(app.port());
    CHECK(none.get("/metrics").result() == tew::http::status::unauthorized);
    CHECK(none.get("/healthz").result() == tew::http::status::ok);
    CHECK(none.get("/readyz").result() == tew::http::status::ok);
    CHECK(app.events().empty());

    HttpClient right_case(app.port());
    CHECK(right_case.get("/dapr/subscribe", {{"Dapr-Api-Token", right}}).result() ==
          tew::http::status::ok);
  }

  TEST_CASE("neither a wrong token nor the right one ever appears in the logs or answers") {
    App app;
    CapturedLog log(kJsonLog);
    const std::string guess = "guess-s3cr3t-value";
    HttpClient client(app.port());
    const auto refused = client.post("/orders", event_body("t"), "application/cloudevents+json",
                                     {{"dapr-api-token", guess}});
    CHECK(refused.body().find(guess) == std::string::npos);
    HttpClient good(app.port());
    CHECK(status_of(good.post("/orders", event_body("u"), "application/cloudevents+json",
                              {{"dapr-api-token", kToken}})) == "SUCCESS");
    CHECK(status_of(good.post("/orders", "{", "application/cloudevents+json",
                              {{"dapr-api-token", kToken}})) == "DROP");
    CHECK_FALSE(log.lines().empty());
    CHECK(log.text().find(guess) == std::string::npos);
    CHECK(log.text().find(kToken) == std::string::npos);
  }
}
