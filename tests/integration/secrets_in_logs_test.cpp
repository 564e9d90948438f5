// A real binary (tests/app) started with every secret the common configuration takes: the
// API tokens and the credentials in DAPR_HTTP_ENDPOINT never appear in what it writes, at
// the most verbose log level, whether its configuration is accepted or refused.
#include <doctest/doctest.h>

#include <csignal>

#include "child_process.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar_server.hpp"
#include "http_client.hpp"

using namespace std::chrono_literals;
using tew::testing::built_binary;
using tew::testing::ChildProcess;
using tew::testing::HttpClient;

namespace {

const std::string kAppToken = "app-t0ken-93be1f";
const std::string kDaprToken = "dapr-t0ken-5c07aa";
const std::string kPassword = "sidecar-pa55-77d2";

std::string order(std::string_view id, std::string_view data = "{}") {
  return R"({"specversion":"1.0","id":")" + std::string(id) +
         R"(","source":"shop","type":"order","data":)" + std::string(data) + "}";
}

void check_no_secret(const std::string& output) {
  for (const auto& secret : {kAppToken, kDaprToken, kPassword}) {
    CAPTURE(secret);
    CHECK(output.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("no token or sidecar credential appears in a service's output, even at trace level") {
  tew::testing::FakeClock clock;
  tew::testing::FakeSidecarServer sidecar(clock);
  sidecar.require_api_token(kDaprToken);
  sidecar.start();
  const auto port = tew::testing::free_port();
  const std::string endpoint =
      "http://tew:" + kPassword + "@127.0.0.1:" + std::to_string(sidecar.port());
  ChildProcess app(built_binary("tew-test-app"), {},
                   {{"APP_PORT", std::to_string(port)},
                    {"APP_API_TOKEN", kAppToken},
                    {"DAPR_API_TOKEN", kDaprToken},
                    {"DAPR_HTTP_ENDPOINT", endpoint},
                    {"LOG_LEVEL", "trace"},
                    {"DEDUP_BACKEND", "state"}});
  REQUIRE(app.wait_for_output("listening", 10s));

  HttpClient client(port);
  const tew::testing::Headers token = {{"dapr-api-token", kAppToken}};
  CHECK(client.post("/orders", order("o-1"), "application/cloudevents+json", token).body() ==
        R"({"status":"SUCCESS"})");
  CHECK(client
            .post("/orders", order("o-2", R"({"fail":"transient"})"),
                  "application/cloudevents+json", token)
            .body() == R"({"status":"RETRY"})");
  CHECK(client.post("/orders", "{", "application/cloudevents+json", token).body() ==
        R"({"status":"DROP"})");
  CHECK(client.get("/readyz", token).result() == tew::testing::http::status::ok);
  HttpClient wrong(port);
  CHECK(wrong
            .post("/orders", order("o-3"), "application/cloudevents+json",
                  {{"dapr-api-token", kDaprToken}})
            .result() == tew::testing::http::status::unauthorized);
  // The credentials did reach the sidecar: the follow-on event was published with them.
  REQUIRE(sidecar.published().size() == 1);
  CHECK_FALSE(sidecar.requests().front().header("authorization").empty());

  app.signal(SIGTERM);
  CHECK(app.wait(10s) == 0);
  const auto output = app.output();
  INFO(output);
  CHECK(output.find("http://***@127.0.0.1:" + std::to_string(sidecar.port())) != std::string::npos);
  CHECK(output.find("dropping event") != std::string::npos);
  check_no_secret(output);
}

TEST_CASE("a refused DAPR_HTTP_ENDPOINT with credentials is reported without them") {
  for (const auto& endpoint : {"ftp://tew:" + kPassword + "@127.0.0.1:3500",
                               "http://tew:" + kPassword + "@127.0.0.1:3500/?x=1",
                               "http://tew:" + kPassword + "@127.0.0.1:3500#f"}) {
    CAPTURE(endpoint);
    ChildProcess app(built_binary("tew-test-app"), {},
                     {{"DAPR_HTTP_ENDPOINT", endpoint},
                      {"APP_API_TOKEN", kAppToken},
                      {"DAPR_API_TOKEN", kDaprToken},
                      {"LOG_LEVEL", "trace"}});
    CHECK(app.wait(10s) == 2);
    const auto output = app.output();
    CHECK(output.find("DAPR_HTTP_ENDPOINT") != std::string::npos);
    check_no_secret(output);
  }
}
