// CurlSidecar::get_state_bulk: the request daprd reads (POST /v1.0/state/{store}/bulk), answers
// mapped to one item per key in request order, and every way the answer can be unusable.
#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar_server.hpp"
#include "run_awaitable.hpp"
#include "test_server.hpp"
#include "tew/curl_sidecar.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using tew::Concurrency;
using tew::CurlSidecar;
using tew::ErrorKind;
using tew::SidecarOptions;
using tew::StateWrite;
using tew::testing::FakeClock;
using tew::testing::FakeSidecarServer;
using tew::testing::run_awaitable;
using tew::testing::TestServer;

namespace {

SidecarOptions options_for(std::uint16_t port) {
  SidecarOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port);
  o.max_attempts = 3;
  o.backoff_base = 1ms;
  o.backoff_max = 5ms;
  o.max_connections = 1;
  return o;
}

struct Fixture {
  Fixture() { server.start(); }
  FakeClock clock;
  FakeSidecarServer server{clock};
};

// A daprd stand-in that answers every request with `status` and `body`.
struct ScriptedDaprd {
  explicit ScriptedDaprd(std::string answer_body, unsigned status = 200)
      : server([answer_body,
                status](tew::HttpRequest& req) -> tew::asio::awaitable<tew::HttpResponse> {
          tew::HttpResponse res{static_cast<tew::http::status>(status), req.version()};
          res.set(tew::http::field::content_type, "application/json");
          res.body() = answer_body;
          res.prepare_payload();
          co_return res;
        }) {}
  TestServer server;
};

tew::Result<std::vector<tew::StateItem>> bulk_get(std::uint16_t port,
                                                  std::vector<std::string> keys) {
  boost::asio::io_context io;
  CurlSidecar sidecar(io.get_executor(), options_for(port));
  return run_awaitable(io, sidecar.get_state_bulk("statestore", keys));
}

}  // namespace

TEST_SUITE("CurlSidecar: bulk get") {
  TEST_CASE_FIXTURE(Fixture, "one POST reads every key, items come in request order") {
    StateWrite a{"a", json{{"n", 1}}, {}, Concurrency::first_write, {}, {}};
    StateWrite c{"c|x y", json("three"), {}, Concurrency::last_write, {}, {}};
    REQUIRE(server.state().save(a).has_value());
    REQUIRE(server.state().save(c).has_value());
    REQUIRE(server.state().save(c).has_value());  // version 2

    const auto items = bulk_get(server.port(), {"c|x y", "b", "a"});
    REQUIRE(items.has_value());
    REQUIRE(items->size() == 3);
    CHECK((*items)[0].key == "c|x y");
    CHECK((*items)[0].value == json("three"));
    CHECK((*items)[0].etag == "2");
    CHECK((*items)[1].key == "b");
    CHECK_FALSE((*items)[1].value.has_value());
    CHECK((*items)[1].etag.empty());
    CHECK((*items)[2].value == json{{"n", 1}});
    CHECK((*items)[2].etag == "1");

    const auto seen = server.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "POST");
    CHECK(seen[0].path == "/v1.0/state/statestore/bulk");
    CHECK(seen[0].header("content-type") == "application/json");
    CHECK(json::parse(seen[0].body) == json{{"keys", {"c|x y", "b", "a"}}, {"parallelism", 3}});
  }

  TEST_CASE_FIXTURE(Fixture, "parallelism is capped, so daprd does not start a reader per key") {
    std::vector<std::string> keys;
    for (int i = 0; i < 40; ++i)
      keys.push_back("k" + std::to_string(i));
    const auto items = bulk_get(server.port(), keys);
    REQUIRE(items.has_value());
    CHECK(items->size() == 40);
    CHECK(json::parse(server.requests().at(0).body).at("parallelism") == 16);
  }

  TEST_CASE_FIXTURE(Fixture, "no keys: no request, no items") {
    const auto items = bulk_get(server.port(), {});
    REQUIRE(items.has_value());
    CHECK(items->empty());
    CHECK(server.request_count() == 0);
  }

  TEST_CASE_FIXTURE(Fixture, "a 5xx is retried like a single read, then unavailable") {
    server.fail_next(5, 500, "/v1.0/state/statestore/bulk");
    const auto items = bulk_get(server.port(), {"a"});
    REQUIRE_FALSE(items.has_value());
    CHECK(items.error().kind == ErrorKind::unavailable);
    CHECK(server.request_count() == 3);
  }

  TEST_CASE("an error on one key fails the whole read, naming the key") {
    ScriptedDaprd daprd(
        R"([{"key":"a","data":1,"etag":"1"},{"key":"b","error":"redis: timeout"}])");
    const auto items = bulk_get(daprd.server.port(), {"a", "b"});
    REQUIRE_FALSE(items.has_value());
    CHECK(items.error().kind == ErrorKind::unavailable);
    CHECK(items.error().message.find("key b: redis: timeout") != std::string::npos);
  }

  TEST_CASE("answers that are not one item per key are errors, not guesses") {
    for (const auto* body :
         {R"({"key":"a"})", R"([{"key":"a","data":1}])", R"([1,2])", R"(not json)"}) {
      CAPTURE(body);
      ScriptedDaprd daprd(body);
      const auto items = bulk_get(daprd.server.port(), {"a", "b"});
      REQUIRE_FALSE(items.has_value());
      CHECK(items.error().subject == "POST /v1.0/state/statestore/bulk");
    }
  }

  TEST_CASE("items may come back in any order, and null data means absent") {
    ScriptedDaprd daprd(R"([{"key":"b","data":null},{"key":"a","data":{"x":1},"etag":"7"}])");
    const auto items = bulk_get(daprd.server.port(), {"a", "b"});
    REQUIRE(items.has_value());
    CHECK((*items)[0].value == json{{"x", 1}});
    CHECK((*items)[0].etag == "7");
    CHECK_FALSE((*items)[1].value.has_value());
  }
}
