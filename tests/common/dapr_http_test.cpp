// daprd's HTTP API as data, without sockets (tests/common/curl_sidecar_test.cpp sends these
// requests to a fake daprd): encoding, which failures may be retried, and what answers mean.
#include "dapr_http.hpp"

#include <doctest/doctest.h>

#include "tew/rfc3339.hpp"

using namespace tew::dapr_http;
using tew::Concurrency;
using tew::ErrorKind;

namespace {

Answer status(int code, std::string body = {}) {
  Answer a;
  a.status = code;
  a.body = std::move(body);
  return a;
}

Answer failed(TransportFailure failure) {
  Answer a;
  a.failure = failure;
  a.failure_detail = "Connection refused";
  return a;
}

tew::StateWrite write(std::optional<std::string> etag, Concurrency concurrency) {
  return {"k", 1, std::move(etag), concurrency, tew::Consistency::strong, std::nullopt};
}

}  // namespace

TEST_CASE("percent_encode keeps only the unreserved characters") {
  CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(percent_encode("a b/c|d%e?f#g&h=i+j") == "a%20b%2Fc%7Cd%25e%3Ff%23g%26h%3Di%2Bj");
  CHECK(percent_encode("\xc3\xa9") == "%C3%A9");
  CHECK(percent_encode(std::string("\0", 1)) == "%00");
  CHECK(percent_encode("") == "");
}

TEST_CASE("a request names itself by method and path, without its query") {
  auto request = delete_state_request("state store", {"a|b", "3", Concurrency::first_write});
  CHECK(request.subject() == "DELETE /v1.0/state/state%20store/a%7Cb");
  CHECK(request.target() ==
        "/v1.0/state/state%20store/a%7Cb?concurrency=first-write&consistency=strong");
  CHECK(get_state_request("s", "k").target() == "/v1.0/state/s/k");
}

TEST_CASE("a conditional write is sent again only when it never reached daprd") {
  CHECK(save_state_request("s", {write(std::nullopt, Concurrency::last_write)}).retry ==
        RetryPolicy::on_failure);
  CHECK(save_state_request("s", {write(std::nullopt, Concurrency::first_write)}).retry ==
        RetryPolicy::on_connect_failure);
  CHECK(save_state_request("s", {write("2", Concurrency::last_write)}).retry ==
        RetryPolicy::on_connect_failure);
  CHECK(save_state_request("s", {write(std::nullopt, Concurrency::last_write),
                                 write("2", Concurrency::last_write)})
            .retry == RetryPolicy::on_connect_failure);
  CHECK(save_state_request("s", {write("", Concurrency::last_write)}).retry ==
        RetryPolicy::on_failure);
  CHECK(delete_state_request("s", {"k", std::nullopt, Concurrency::last_write}).retry ==
        RetryPolicy::on_failure);
  CHECK(delete_state_request("s", {"k", "1", Concurrency::last_write}).retry ==
        RetryPolicy::on_connect_failure);
  CHECK(transact_request("s", {tew::StateDelete{"k", "1", Concurrency::first_write}}).retry ==
        RetryPolicy::on_connect_failure);
  CHECK(transact_request("s", {write(std::nullopt, Concurrency::last_write)}).retry ==
        RetryPolicy::on_failure);
  CHECK(get_state_request("s", "k").retry == RetryPolicy::on_failure);
  CHECK(health_request().retry == RetryPolicy::never);
  CHECK(health_request().path == "/v1.0/healthz/outbound");
}

TEST_CASE("which failed attempts each retry policy sends again") {
  const auto refused = failed(TransportFailure::not_connected);
  const auto timed_out = failed(TransportFailure::timed_out);
  const auto broken = failed(TransportFailure::broken);
  const auto stopped = failed(TransportFailure::client_stopped);

  CHECK(retryable(refused, RetryPolicy::on_failure));
  CHECK(retryable(timed_out, RetryPolicy::on_failure));
  CHECK(retryable(broken, RetryPolicy::on_failure));
  CHECK_FALSE(retryable(stopped, RetryPolicy::on_failure));
  CHECK(retryable(status(500), RetryPolicy::on_failure));
  CHECK(retryable(status(503), RetryPolicy::on_failure));
  CHECK_FALSE(retryable(status(409), RetryPolicy::on_failure));
  CHECK_FALSE(retryable(status(404), RetryPolicy::on_failure));

  CHECK(retryable(refused, RetryPolicy::on_connect_failure));
  CHECK_FALSE(retryable(timed_out, RetryPolicy::on_connect_failure));
  CHECK_FALSE(retryable(broken, RetryPolicy::on_connect_failure));
  CHECK_FALSE(retryable(status(500), RetryPolicy::on_connect_failure));

  CHECK_FALSE(retryable(refused, RetryPolicy::never));
  CHECK_FALSE(retryable(status(503), RetryPolicy::never));
}

TEST_CASE("only a 2xx answer that arrived counts as success") {
  CHECK(succeeded(status(200)));
  CHECK(succeeded(status(204)));
  CHECK_FALSE(succeeded(status(199)));
  CHECK_FALSE(succeeded(status(300)));
  CHECK_FALSE(succeeded(status(500)));
  auto odd = failed(TransportFailure::broken);
  odd.status = 204;
  CHECK_FALSE(succeeded(odd));
}

TEST_CASE("daprd's error body fills the error's code and message, and the status its kind") {
  const auto request = save_state_request("s", {write(std::nullopt, Concurrency::first_write)});
  const auto error =
      to_error(request, status(500, R"({"errorCode":"ERR_STATE_SAVE","message":"failed"})"), 1);
  CHECK(error.kind == ErrorKind::unavailable);
  CHECK(error.http_status == 500);
  CHECK(error.code == "ERR_STATE_SAVE");
  CHECK(error.subject == "POST /v1.0/state/s");
  CHECK(error.message == "HTTP 500 ERR_STATE_SAVE: failed");

  CHECK(to_error(request, status(409, "{}"), 1).kind == ErrorKind::conflict);
  CHECK(to_error(request, status(400, "{}"), 1).kind == ErrorKind::rejected);
  CHECK(to_error(request, status(401, "{}"), 1).kind == ErrorKind::rejected);
}

TEST_CASE("an error says how many attempts were made, and what failed in transport") {
  const auto request = get_state_request("s", "k");
  CHECK(to_error(request, status(503, "busy\n"), 4).message == "HTTP 503: busy (after 4 attempts)");
  const auto refused = to_error(request, failed(TransportFailure::not_connected), 2);
  CHECK(refused.kind == ErrorKind::unavailable);
  CHECK(refused.http_status == 0);
  CHECK(refused.message == "could not connect: Connection refused (after 2 attempts)");
  CHECK(to_error(request, failed(TransportFailure::timed_out), 1).message ==
        "timed out: Connection refused");
}

TEST_CASE("a long error body is cut to 300 characters in the message") {
  const auto error = to_error(get_state_request("s", "k"), status(500, std::string(1000, 'x')), 1);
  CHECK(error.message == "HTTP 500: " + std::string(300, 'x') + "...");
}

TEST_CASE("a GET state answer of 204 or an empty body is an absent key") {
  const auto request = get_state_request("s", "k");
  const auto absent = to_state_item(request, "k", status(204));
  REQUIRE(absent.has_value());
  CHECK(absent->key == "k");
  CHECK_FALSE(absent->value.has_value());
  CHECK_FALSE(to_state_item(request, "k", status(200, ""))->value.has_value());
}

TEST_CASE(
    "a GET state answer carries its value and ETag, and a body that is not JSON is an error") {
  const auto request = get_state_request("s", "k");
  auto answer = status(200, R"({"n":1})");
  answer.etag = "7";
  const auto item = to_state_item(request, "k", answer);
  REQUIRE(item.has_value());
  CHECK(item->value == nlohmann::json{{"n", 1}});
  CHECK(item->etag == "7");
  CHECK_FALSE(to_state_item(request, "k", status(200, "{not json")).has_value());
}

TEST_CASE("a published event's body is the event's structured JSON, whatever its data") {
  tew::PublishRequest publish;
  publish.event.id = "e";
  publish.event.source = "s";
  publish.event.type = "t";
  publish.event.time = tew::parse_rfc3339("2026-03-02T09:14:05Z").value();
  // An extension may not hide a context attribute or the data.
  publish.event.extensions = {{"traceparent", "00-x"}, {"data", "not the data"}, {"id", "no"}};
  std::vector<std::optional<nlohmann::json>> datas = {
      nlohmann::json{{"task_id", "t-1"}, {"task_data", {{"title", "milk"}, {"tags", {"a"}}}}},
      nlohmann::json("text"),
      nlohmann::json::array(),
      nlohmann::json(nullptr),
      nlohmann::json(std::string("bad \xff utf-8")),
      std::nullopt};
  for (const auto& data : datas) {
    CAPTURE(data ? data->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : "none");
    publish.event.data = data;
    const auto body = publish_request(publish).body;
    const auto parsed = nlohmann::json::parse(body);
    auto expected = tew::to_json(publish.event);
    if (data && data->is_string() && data->get<std::string>().starts_with("bad"))
      expected["data"] = "bad \xef\xbf\xbd utf-8";  // invalid UTF-8 replaced, as before
    CHECK(parsed == expected);
    CHECK(parsed.at("id") == "e");
    CHECK(parsed.contains("data") == data.has_value());
    if (data) CHECK(parsed.at("data") != "not the data");
  }
  publish.event.data.reset();
  publish.event.data_bytes = std::string("\x00\x01\x02\xff", 4);
  CHECK(nlohmann::json::parse(publish_request(publish).body) == tew::to_json(publish.event));
}

TEST_CASE("publish metadata becomes percent-encoded metadata.<name> query parameters") {
  tew::PublishRequest publish{"my pubsub", "a/b", {}, "00-trace", {{"cloudevent.id", "x y"}}};
  publish.event.id = "e";
  publish.event.source = "s";
  publish.event.type = "t";
  const auto request = publish_request(publish);
  CHECK(request.path == "/v1.0/publish/my%20pubsub/a%2Fb");
  CHECK(request.query == "metadata.cloudevent.id=x%20y");
  CHECK(request.content_type == "application/cloudevents+json");
  CHECK(request.retry == RetryPolicy::on_failure);
  CHECK(request.headers ==
        std::vector<std::pair<std::string, std::string>>{{"traceparent", "00-trace"}});
}
