// CurlSidecar against FakeSidecarServer over real sockets: the exact requests daprd gets, the
// mapping of its answers to Result, retries and their limits, calls that never block the caller,
// reuse and limit of connections, and SidecarDedupStore running on top of it.
#include "tew/curl_sidecar.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "fake_clock.hpp"
#include "fake_sidecar_server.hpp"
#include "run_awaitable.hpp"
#include "tew/sidecar_dedup_store.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using tew::Concurrency;
using tew::CurlSidecar;
using tew::ErrorKind;
using tew::SidecarOptions;
using tew::StateDelete;
using tew::StateWrite;
using tew::testing::FakeClock;
using tew::testing::FakeSidecarServer;
using tew::testing::run_awaitable;

namespace {

struct Fixture {
  Fixture() { server.start(); }

  // Small backoff keeps retry tests fast; the timeout stays generous for a loaded machine.
  SidecarOptions options() const {
    SidecarOptions o;
    o.base_url = server.base_url();
    o.timeout = 5s;
    o.max_attempts = 3;
    o.backoff_base = 1ms;
    o.backoff_max = 5ms;
    o.max_connections = 2;
    return o;
  }

  FakeClock clock;
  FakeSidecarServer server{clock};
  boost::asio::io_context io;  // the sidecar clients' executor, run by run_awaitable
};

tew::CloudEvent reminder_event() {
  tew::CloudEvent event;
  event.id = "2f1c7d3e-5b0a-5c1e-9d4f-0a1b2c3d4e5f";
  event.source = "task-event-workers/reminders";
  event.type = "com.example.reminder.due";
  event.datacontenttype = "application/json";
  event.data = json{{"task_id", "t-1"}, {"due", "2026-01-02T09:00:00Z"}};
  return event;
}

tew::PublishRequest publish_request() {
  tew::PublishRequest request;
  request.pubsub = "pubsub";
  request.topic = "reminders";
  request.event = reminder_event();
  return request;
}

StateWrite write(std::string key, json value, Concurrency concurrency = Concurrency::last_write,
                 std::optional<std::string> etag = std::nullopt) {
  StateWrite w;
  w.key = std::move(key);
  w.value = std::move(value);
  w.concurrency = concurrency;
  w.etag = std::move(etag);
  return w;
}

tew::Result<void> save(boost::asio::io_context& io, CurlSidecar& sidecar, StateWrite w) {
  return run_awaitable(io, sidecar.save_state("statestore", {std::move(w)}));
}

// A port on 127.0.0.1 that nothing listens on: one a server has just given up.
std::uint16_t closed_port() {
  FakeClock clock;
  FakeSidecarServer server(clock);
  server.start();
  return server.port();
}

}  // namespace

TEST_SUITE("CurlSidecar: requests as daprd expects them") {
  TEST_CASE_FIXTURE(Fixture, "publish posts the whole CloudEvent with metadata as query") {
    CurlSidecar sidecar(io.get_executor(), options());
    auto request = publish_request();
    request.metadata = {{"ttlInSeconds", "60"}, {"cloudevent.subject", "a b/c&d"}};
    REQUIRE(run_awaitable(io, sidecar.publish(request)).has_value());

    const auto seen = server.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "POST");
    CHECK(seen[0].path == "/v1.0/publish/pubsub/reminders");
    CHECK(seen[0].query == "metadata.cloudevent.subject=a%20b%2Fc%26d&metadata.ttlInSeconds=60");
    CHECK(seen[0].header("content-type") == "application/cloudevents+json");
    CHECK(json::parse(seen[0].body) == tew::to_json(request.event));

    const auto published = server.published();
    REQUIRE(published.size() == 1);
    CHECK(published[0].metadata.at("cloudevent.subject") == "a b/c&d");
    CHECK(published[0].metadata.at("ttlInSeconds") == "60");
  }

  TEST_CASE_FIXTURE(Fixture, "publish keeps the event's own id, source and type") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(run_awaitable(io, sidecar.publish(publish_request())).has_value());
    const auto published = server.published();
    REQUIRE(published.size() == 1);
    CHECK(published[0].event["id"] == reminder_event().id);
    CHECK(published[0].event["source"] == reminder_event().source);
    CHECK(published[0].event["type"] == reminder_event().type);
    CHECK(published[0].event["specversion"] == "1.0");
  }

  TEST_CASE_FIXTURE(Fixture,
                    "invalid UTF-8 in a published event or a state value goes out as U+FFFD") {
    // Bytes a handler copied from a binary-mode body: dump() would throw, and a throwing
    // publish would make its event a RETRY forever.
    CurlSidecar sidecar(io.get_executor(), options());
    auto request = publish_request();
    request.event.data = json{{"note", "caf\xc3 \xff!"}};
    REQUIRE(run_awaitable(io, sidecar.publish(request)).has_value());
    REQUIRE(save(io, sidecar, write("k", json{{"note", "\xed\xa0\x80"}})).has_value());

    const auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(json::parse(seen[0].body)["data"]["note"] == "caf\ufffd \ufffd!");
    CHECK(json::parse(seen[1].body)[0]["value"]["note"] == "\ufffd\ufffd\ufffd");
  }

  TEST_CASE_FIXTURE(Fixture, "pubsub and topic names are percent-encoded in the path") {
    CurlSidecar sidecar(io.get_executor(), options());
    auto request = publish_request();
    request.topic = "tasks/created v2";
    REQUIRE(run_awaitable(io, sidecar.publish(request)).has_value());
    CHECK(server.requests().at(0).path == "/v1.0/publish/pubsub/tasks%2Fcreated%20v2");
    CHECK(server.published().at(0).topic == "tasks/created v2");
  }

  TEST_CASE_FIXTURE(Fixture, "publish sends the traceparent header only when one is set") {
    CurlSidecar sidecar(io.get_executor(), options());
    auto traced = publish_request();
    traced.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    REQUIRE(run_awaitable(io, sidecar.publish(traced)).has_value());
    REQUIRE(run_awaitable(io, sidecar.publish(publish_request())).has_value());

    const auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].header("traceparent") == traced.traceparent);
    CHECK(seen[1].headers.count("traceparent") == 0);
    CHECK(server.published().at(0).traceparent == traced.traceparent);
  }

  TEST_CASE_FIXTURE(Fixture, "a proxy in the environment is not used for a sidecar on loopback") {
    // Both spellings curl reads, pointing at a port nothing listens on: were either used, the
    // call could not connect.
    const auto dead = "http://127.0.0.1:" + std::to_string(closed_port());
    struct Env {
      std::vector<std::string> names;
      ~Env() {
        for (const auto& n : names)
          unsetenv(n.c_str());
      }
    } env{{"http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"}};
    for (const auto& n : env.names)
      setenv(n.c_str(), dead.c_str(), 1);
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(run_awaitable(io, sidecar.publish(publish_request())).has_value());
    CHECK(server.published().size() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "dapr-api-token is sent when configured and absent otherwise") {
    server.require_api_token("s3cret");
    auto with_token = options();
    with_token.api_token = "s3cret";
    CurlSidecar authorised(io.get_executor(), with_token);
    CurlSidecar anonymous(io.get_executor(), options());

    REQUIRE(run_awaitable(io, authorised.publish(publish_request())).has_value());
    const auto refused = run_awaitable(io, anonymous.publish(publish_request()));

    const auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].header("dapr-api-token") == "s3cret");
    CHECK(seen[1].headers.count("dapr-api-token") == 0);
    REQUIRE_FALSE(refused.has_value());
    CHECK(server.published().size() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "a refused token is a rejected error with status 401, not retried") {
    server.require_api_token("s3cret");
    auto wrong = options();
    wrong.api_token = "guess";
    CurlSidecar sidecar(io.get_executor(), wrong);
    const auto result = run_awaitable(io, sidecar.publish(publish_request()));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::rejected);
    CHECK(result.error().http_status == 401);
    CHECK(result.error().subject == "POST /v1.0/publish/pubsub/reminders");
    CHECK(result.error().message.find("guess") == std::string::npos);
    CHECK(server.request_count() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "save sends options, etag and ttlInSeconds as daprd reads them") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(save(io, sidecar, write("k", json{{"n", 1}})).has_value());
    auto guarded = write("k", json{{"n", 2}}, Concurrency::first_write, "1");
    guarded.ttl = 30s;
    REQUIRE(save(io, sidecar, guarded).has_value());

    const auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].method == "POST");
    CHECK(seen[1].path == "/v1.0/state/statestore");
    CHECK(seen[1].header("content-type") == "application/json");
    CHECK(json::parse(seen[0].body) == json::parse(R"([{"key":"k","value":{"n":1},
                           "options":{"concurrency":"last-write","consistency":"strong"}}])"));
    CHECK(json::parse(seen[1].body) == json::parse(R"([{"key":"k","value":{"n":2},"etag":"1",
                           "options":{"concurrency":"first-write","consistency":"strong"},
                           "metadata":{"ttlInSeconds":"30"}}])"));
    const auto entry = server.state().peek("k");
    REQUIRE(entry.has_value());
    CHECK(entry->first_write);
    CHECK(entry->expires == clock.now() + 30s);
  }

  TEST_CASE_FIXTURE(Fixture, "keys are percent-encoded in the path and reach the store intact") {
    CurlSidecar sidecar(io.get_executor(), options());
    const std::string key = "dedup|3:app|a b/c";
    REQUIRE(save(io, sidecar, write(key, "v")).has_value());
    const auto item = run_awaitable(io, sidecar.get_state("statestore", key));
    REQUIRE(item.has_value());
    CHECK(item->value == json("v"));
    CHECK(server.requests().at(1).path == "/v1.0/state/statestore/dedup%7C3%3Aapp%7Ca%20b%2Fc");
  }

  TEST_CASE_FIXTURE(Fixture, "delete sends If-Match and first-write, strong as query") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(save(io, sidecar, write("k", 1)).has_value());
    const StateDelete del{"k", "1", Concurrency::first_write};
    REQUIRE(run_awaitable(io, sidecar.delete_state("statestore", del)).has_value());

    const auto seen = server.requests().at(1);
    CHECK(seen.method == "DELETE");
    CHECK(seen.path == "/v1.0/state/statestore/k");
    CHECK(seen.query == "concurrency=first-write&consistency=strong");
    CHECK(seen.header("if-match") == "1");
    CHECK_FALSE(server.state().peek("k").has_value());
  }

  TEST_CASE_FIXTURE(Fixture, "a delete without an ETag sends no If-Match") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(save(io, sidecar, write("k", 1)).has_value());
    REQUIRE(run_awaitable(io, sidecar.delete_state("statestore", StateDelete{"k", {}, {}}))
                .has_value());
    const auto seen = server.requests().at(1);
    CHECK(seen.query == "concurrency=last-write&consistency=strong");
    CHECK(seen.headers.count("if-match") == 0);
    CHECK_FALSE(server.state().peek("k").has_value());
  }

  TEST_CASE_FIXTURE(Fixture, "a transaction posts upserts and deletes as one operations list") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(save(io, sidecar, write("old", 0)).has_value());
    const std::vector<tew::StateOperation> ops{write("new", json{{"a", 1}}),
                                               StateDelete{"old", "1", Concurrency::first_write}};
    REQUIRE(run_awaitable(io, sidecar.transact("statestore", ops)).has_value());

    const auto seen = server.requests().at(1);
    CHECK(seen.path == "/v1.0/state/statestore/transaction");
    CHECK(json::parse(seen.body) == json::parse(R"({"operations":[
        {"operation":"upsert","request":{"key":"new","value":{"a":1},
          "options":{"concurrency":"last-write","consistency":"strong"}}},
        {"operation":"delete","request":{"key":"old","etag":"1",
          "options":{"concurrency":"first-write","consistency":"strong"}}}]})"));
    CHECK(server.state().peek("new").has_value());
    CHECK_FALSE(server.state().peek("old").has_value());
  }

  TEST_CASE_FIXTURE(Fixture, "invoke_binding posts data, metadata and operation") {
    server.script_binding("mailer", 200, R"({"sent":true})");
    CurlSidecar sidecar(io.get_executor(), options());
    tew::BindingRequest request;
    request.name = "mailer";
    request.data = json{{"to", "a@example.com"}};
    request.metadata = {{"subject", "due"}};
    const auto response = run_awaitable(io, sidecar.invoke_binding(request));
    REQUIRE(response.has_value());
    CHECK(response->http_status == 200);
    CHECK(json::parse(response->body) == json{{"sent", true}});

    const auto seen = server.requests().at(0);
    CHECK(seen.path == "/v1.0/bindings/mailer");
    CHECK(json::parse(seen.body) == json::parse(R"({"data":{"to":"a@example.com"},
        "metadata":{"subject":"due"},"operation":"create"})"));
  }

  TEST_CASE_FIXTURE(Fixture, "a binding without output data answers 204 with an empty body") {
    CurlSidecar sidecar(io.get_executor(), options());
    tew::BindingRequest request;
    request.name = "cron-out";
    const auto response = run_awaitable(io, sidecar.invoke_binding(request));
    REQUIRE(response.has_value());
    CHECK(response->http_status == 204);
    CHECK(response->body.empty());
  }

  TEST_CASE_FIXTURE(Fixture, "healthy asks the outbound probe once and reports its answer") {
    CurlSidecar sidecar(io.get_executor(), options());
    CHECK(run_awaitable(io, sidecar.healthy()));
    server.set_healthy(false);
    CHECK_FALSE(run_awaitable(io, sidecar.healthy()));
    const auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].path == "/v1.0/healthz/outbound");
  }
}

TEST_SUITE("CurlSidecar: state semantics through daprd's answers") {
  TEST_CASE_FIXTURE(Fixture, "get of an absent key has no value and no ETag") {
    CurlSidecar sidecar(io.get_executor(), options());
    const auto item = run_awaitable(io, sidecar.get_state("statestore", "missing"));
    REQUIRE(item.has_value());
    CHECK(item->key == "missing");
    CHECK_FALSE(item->value.has_value());
    CHECK(item->etag.empty());
  }

  TEST_CASE_FIXTURE(Fixture, "the ETag read back guards the next write, a stale one conflicts") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(save(io, sidecar, write("k", json{{"v", 1}})).has_value());
    const auto first = run_awaitable(io, sidecar.get_state("statestore", "k"));
    REQUIRE(first.has_value());
    CHECK(first->value == json{{"v", 1}});
    REQUIRE_FALSE(first->etag.empty());

    REQUIRE(save(io, sidecar, write("k", json{{"v", 2}}, Concurrency::first_write, first->etag))
                .has_value());
    const auto second = run_awaitable(io, sidecar.get_state("statestore", "k"));
    REQUIRE(second.has_value());
    CHECK(second->value == json{{"v", 2}});
    CHECK(second->etag != first->etag);

    const auto stale =
        save(io, sidecar, write("k", json{{"v", 3}}, Concurrency::first_write, first->etag));
    REQUIRE_FALSE(stale.has_value());
    CHECK(stale.error().kind == ErrorKind::conflict);
    CHECK(stale.error().http_status == 409);
    CHECK(stale.error().code == "ERR_STATE_SAVE");
    CHECK(stale.error().subject == "POST /v1.0/state/statestore");
  }

  TEST_CASE_FIXTURE(Fixture, "a delete with a stale ETag conflicts and keeps the key") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(save(io, sidecar, write("k", 1)).has_value());
    REQUIRE(save(io, sidecar, write("k", 2)).has_value());
    const auto result =
        run_awaitable(io, sidecar.delete_state("statestore", StateDelete{"k", "1", {}}));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::conflict);
    CHECK(result.error().code == "ERR_STATE_DELETE");
    CHECK(server.state().peek("k").has_value());
  }

  TEST_CASE_FIXTURE(Fixture, "a second first-write insert fails with 500 ERR_STATE_SAVE, once") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(save(io, sidecar, write("claim", "a", Concurrency::first_write)).has_value());
    const auto again = save(io, sidecar, write("claim", "b", Concurrency::first_write));
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().kind == ErrorKind::unavailable);
    CHECK(again.error().http_status == 500);
    CHECK(again.error().code == "ERR_STATE_SAVE");
    CHECK(again.error().message.find("failed to set key claim") != std::string::npos);
    CHECK(server.request_count() == 2);  // not retried: the condition would fail again
    CHECK(server.state().peek("claim")->value == json("a"));
  }

  TEST_CASE_FIXTURE(Fixture, "two replicas claiming one event over HTTP: one wins, one waits") {
    CurlSidecar sidecar_a(io.get_executor(), options());
    CurlSidecar sidecar_b(io.get_executor(), options());
    const tew::DedupPolicy policy{30s, 1h};
    tew::SidecarDedupStore a(sidecar_a, clock, "statestore", policy);
    tew::SidecarDedupStore b(sidecar_b, clock, "statestore", policy);
    const tew::DedupKey key{"app/reminders", "task-event-workers/reminders", "evt-1"};

    const auto won = run_awaitable(io, a.claim(key));
    REQUIRE(won.has_value());
    CHECK(won->state == tew::ClaimState::acquired);
    const auto lost = run_awaitable(io, b.claim(key));
    REQUIRE(lost.has_value());
    CHECK(lost->state == tew::ClaimState::in_flight);

    REQUIRE(run_awaitable(io, a.complete(key, *won)).has_value());
    const auto later = run_awaitable(io, b.claim(key));
    REQUIRE(later.has_value());
    CHECK(later->state == tew::ClaimState::already_done);
  }
}

TEST_SUITE("CurlSidecar: the benchmarks' stand-in") {
  TEST_CASE_FIXTURE(Fixture, "a fake sidecar that stopped recording still answers and counts") {
    server.stop_recording();
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(run_awaitable(io, sidecar.publish(publish_request())).has_value());
    REQUIRE(save(io, sidecar, write("k", 1)).has_value());
    const auto item = run_awaitable(io, sidecar.get_state("statestore", "k"));
    REQUIRE(item.has_value());
    CHECK(item->value == json(1));
    CHECK(server.request_count() == 3);
    CHECK(server.requests().empty());
    CHECK(server.published().empty());
  }
}

TEST_SUITE("CurlSidecar: retries and failures") {
  TEST_CASE_FIXTURE(Fixture, "two 503s then success is ok after three attempts") {
    server.fail_next(2, 503);
    CurlSidecar sidecar(io.get_executor(), options());
    CHECK(run_awaitable(io, sidecar.publish(publish_request())).has_value());
    CHECK(server.request_count() == 3);
    CHECK(server.published().size() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "5xx on every attempt is unavailable after max_attempts") {
    server.fail_next(5, 503);
    CurlSidecar sidecar(io.get_executor(), options());
    const auto result = run_awaitable(io, sidecar.get_state("statestore", "k"));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::unavailable);
    CHECK(result.error().http_status == 503);
    CHECK(result.error().code == "ERR_FAULT_INJECTED");
    CHECK(result.error().message.find("after 3 attempts") != std::string::npos);
    CHECK(server.request_count() == 3);
  }

  TEST_CASE_FIXTURE(Fixture, "a 4xx answer is rejected at once, never retried") {
    server.fail_next(1, 400);
    CurlSidecar sidecar(io.get_executor(), options());
    const auto result = run_awaitable(io, sidecar.publish(publish_request()));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::rejected);
    CHECK(result.error().http_status == 400);
    CHECK(server.request_count() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "an unconditional write is retried after a 5xx") {
    server.fail_next(1, 500);
    CurlSidecar sidecar(io.get_executor(), options());
    CHECK(save(io, sidecar, write("k", 1)).has_value());
    CHECK(server.request_count() == 2);
  }

  TEST_CASE_FIXTURE(Fixture, "conditional writes are not retried after a 5xx") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(save(io, sidecar, write("k", 1)).has_value());
    server.clear_recorded();

    SUBCASE("first-write without an ETag") {
      server.fail_next(1, 503);
      CHECK_FALSE(save(io, sidecar, write("fresh", 1, Concurrency::first_write)).has_value());
    }
    SUBCASE("a save with an ETag") {
      server.fail_next(1, 503);
      CHECK_FALSE(save(io, sidecar, write("k", 2, Concurrency::last_write, "1")).has_value());
    }
    SUBCASE("a delete with an ETag") {
      server.fail_next(1, 503);
      CHECK_FALSE(run_awaitable(io, sidecar.delete_state("statestore", StateDelete{"k", "1", {}}))
                      .has_value());
    }
    SUBCASE("a transaction with an ETag") {
      server.fail_next(1, 503);
      const std::vector<tew::StateOperation> ops{write("k", 2, Concurrency::last_write, "1")};
      CHECK_FALSE(run_awaitable(io, sidecar.transact("statestore", ops)).has_value());
    }
    CHECK(server.request_count() == 1);
  }

  TEST_CASE("connection refused is unavailable after max_attempts, conditional writes too") {
    boost::asio::io_context io;
    SidecarOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(closed_port());
    options.max_attempts = 3;
    options.backoff_base = 1ms;
    options.backoff_max = 5ms;
    CurlSidecar sidecar(io.get_executor(), options);

    const auto read = run_awaitable(io, sidecar.get_state("statestore", "k"));
    REQUIRE_FALSE(read.has_value());
    CHECK(read.error().kind == ErrorKind::unavailable);
    CHECK(read.error().http_status == 0);
    CHECK(read.error().message.find("could not connect") != std::string::npos);
    CHECK(read.error().message.find("after 3 attempts") != std::string::npos);

    const auto claim = save(io, sidecar, write("k", 1, Concurrency::first_write));
    REQUIRE_FALSE(claim.has_value());
    CHECK(claim.error().message.find("after 3 attempts") != std::string::npos);
    CHECK_FALSE(run_awaitable(io, sidecar.healthy()));
  }

  TEST_CASE_FIXTURE(Fixture, "a timed-out attempt is unavailable, and retried for a read") {
    auto quick = options();
    quick.timeout = 500ms;
    CurlSidecar sidecar(io.get_executor(), quick);

    SUBCASE("every attempt times out") {
      server.delay_next(3, 5s);
      const auto result = run_awaitable(io, sidecar.get_state("statestore", "k"));
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == ErrorKind::unavailable);
      CHECK(result.error().message.find("timed out") != std::string::npos);
      CHECK(server.request_count() == 3);
    }
    SUBCASE("the second attempt answers in time") {
      server.delay_next(1, 5s);
      CHECK(run_awaitable(io, sidecar.get_state("statestore", "k")).has_value());
      CHECK(server.request_count() == 2);
    }
  }

  TEST_CASE_FIXTURE(Fixture, "a conditional write that timed out is not sent again") {
    auto quick = options();
    quick.timeout = 500ms;
    CurlSidecar sidecar(io.get_executor(), quick);
    server.delay_next(1, 5s);
    const auto result = save(io, sidecar, write("claim", 1, Concurrency::first_write));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().message.find("timed out") != std::string::npos);
    CHECK(server.request_count() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "a connection closed without an answer is retried for a read") {
    server.close_next(1);
    CurlSidecar sidecar(io.get_executor(), options());
    CHECK(run_awaitable(io, sidecar.get_state("statestore", "k")).has_value());
    CHECK(server.request_count() == 2);
  }
}

TEST_SUITE("CurlSidecar: threads and connections") {
  TEST_CASE_FIXTURE(Fixture, "sequential calls reuse one connection") {
    CurlSidecar sidecar(io.get_executor(), options());
    for (int i = 0; i < 20; ++i)
      REQUIRE(save(io, sidecar, write("k" + std::to_string(i), i)).has_value());
    CHECK(server.request_count() == 20);
    CHECK(server.connections_accepted() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "concurrent calls open at most max_connections connections") {
    auto o = options();
    o.max_connections = 3;
    CurlSidecar sidecar(io.get_executor(), o);
    server.delay_next(10, 50ms);
    int finished = 0;
    int succeeded = 0;
    for (int i = 0; i < 10; ++i)
      boost::asio::co_spawn(
          io,
          [&, i]() -> boost::asio::awaitable<void> {
            const std::vector<StateWrite> items{write("c" + std::to_string(i), i)};
            if ((co_await sidecar.save_state("statestore", items)).has_value()) ++succeeded;
            ++finished;
          },
          boost::asio::detached);
    while (finished < 10 && io.run_one() > 0) {
    }
    CHECK(succeeded == 10);
    CHECK(server.request_count() == 10);
    CHECK(server.connections_accepted() >= 1);
    CHECK(server.connections_accepted() <= 3);
  }

  TEST_CASE_FIXTURE(Fixture, "a stalled sidecar does not block the caller's thread") {
    server.delay_next(1, 500ms);
    CurlSidecar sidecar(io.get_executor(), options());
    const auto caller = std::this_thread::get_id();
    std::optional<std::chrono::steady_clock::time_point> timer_fired, call_done;
    bool resumed_on_caller = false;

    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          const auto item = co_await sidecar.get_state("statestore", "k");
          CHECK(item.has_value());
          resumed_on_caller = std::this_thread::get_id() == caller;
          call_done = std::chrono::steady_clock::now();
        },
        boost::asio::detached);
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          boost::asio::steady_timer timer(io, 20ms);
          co_await timer.async_wait(boost::asio::use_awaitable);
          timer_fired = std::chrono::steady_clock::now();
        },
        boost::asio::detached);
    // The client's idle connection keeps the io_context busy: run until both are done.
    while (!(timer_fired && call_done) && io.run_one() > 0) {
    }

    REQUIRE(timer_fired.has_value());
    REQUIRE(call_done.has_value());
    CHECK(*timer_fired < *call_done);
    CHECK(resumed_on_caller);
  }

  TEST_CASE_FIXTURE(Fixture, "after stop() calls fail as unavailable without a request") {
    CurlSidecar sidecar(io.get_executor(), options());
    REQUIRE(run_awaitable(io, sidecar.healthy()));
    sidecar.stop();
    const auto result = run_awaitable(io, sidecar.publish(publish_request()));
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::unavailable);
    CHECK(result.error().message.find("client stopped") != std::string::npos);
    CHECK(server.request_count() == 1);
  }
}
