// GET /readyz of a real binary: the answer follows the sidecar's health, and asking never
// harms the process (g++ 12 once compiled the check into an illegal instruction).
#include <doctest/doctest.h>

#include <csignal>

#include "child_process.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar_server.hpp"
#include "http_client.hpp"

using namespace std::chrono_literals;
using tew::testing::ChildProcess;
using tew::testing::HttpClient;
namespace http = tew::testing::http;

TEST_CASE(
    "readyz answers 503 while the sidecar is down, 200 once it answers, and the app lives on") {
  tew::testing::FakeClock clock;
  tew::testing::FakeSidecarServer sidecar(clock);
  sidecar.start();
  sidecar.set_healthy(false);
  const auto port = tew::testing::free_port();
  ChildProcess app(
      tew::testing::built_binary("tew-test-app"), {},
      {{"APP_PORT", std::to_string(port)}, {"DAPR_HTTP_ENDPOINT", sidecar.base_url()}});
  REQUIRE(app.wait_for_output("listening", 10s));

  HttpClient client(port);
  CHECK(client.get("/readyz").result() == http::status::service_unavailable);
  sidecar.set_healthy(true);
  CHECK(client.get("/readyz").result() == http::status::ok);
  CHECK(client.get("/healthz").result() == http::status::ok);
  app.signal(SIGTERM);
  CHECK(app.wait(10s) == 0);
}
