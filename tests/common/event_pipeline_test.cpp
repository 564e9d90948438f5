// The pipeline's edges that HTTP does not show (tests/common/dapr_app_test.cpp has the
// contract over HTTP): what is claimed, and what happens when the dedup store fails.
#include "event_pipeline.hpp"

#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "fixtures.hpp"
#include "run_awaitable.hpp"
#include "tew/memory_dedup_store.hpp"
#include "tew/sidecar_dedup_store.hpp"

using namespace std::chrono_literals;
using tew::Outcome;
using tew::Status;
using tew::testing::run_awaitable;
using tew::testing::SidecarCallKind;

namespace {

const tew::DedupPolicy kPolicy{30s, 1h};

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

tew::CloudEvent task_created() {
  return tew::parse_structured_event(tew::testing::read_fixture("events/task_created.json"))
      .value();
}

// A pipeline over a dedup store of either kind; `act` is what the handler does, after it
// counted its run.
template <class Store>
struct Pipeline {
  Pipeline() : store(make_store()), pipeline({*store, sidecar, metrics, clock}, options) {}

  std::unique_ptr<tew::DedupStore> make_store() {
    if constexpr (std::is_same_v<Store, tew::SidecarDedupStore>)
      return std::make_unique<Store>(sidecar, clock, "statestore", kPolicy);
    else
      return std::make_unique<Store>(clock, kPolicy, 100);
  }

  tew::TopicRoute route(std::string path = "/events/tasks") {
    return {{"pubsub", "task-events", std::move(path), std::nullopt, std::nullopt, {}, {}},
            [this](const tew::CloudEvent&) -> tew::Result<tew::TopicHandler> {
              return tew::TopicHandler{
                  [this](const tew::EventContext&) -> tew::asio::awaitable<Outcome> {
                    ++runs;
                    co_return act();
                  }};
            }};
  }

  Outcome deliver(const tew::TopicRoute& r, tew::Result<tew::CloudEvent> event) {
    return run_awaitable(pipeline.deliver(r, std::move(event)));
  }
  Outcome deliver(const tew::TopicRoute& r) { return deliver(r, task_created()); }

  tew::testing::FakeClock clock;
  tew::testing::FakeSidecar sidecar{clock};
  tew::Metrics metrics;
  tew::AppOptions options{"tasks-app", "tasks-app", ""};
  std::unique_ptr<tew::DedupStore> store;
  tew::EventPipeline pipeline;
  int runs = 0;
  std::function<Outcome()> act = [] { return Outcome::success(); };
};

using MemoryPipeline = Pipeline<tew::MemoryDedupStore>;
using StatePipeline = Pipeline<tew::SidecarDedupStore>;

}  // namespace

TEST_CASE("an unreadable event is DROPped and counted with an empty type, and nothing is claimed") {
  StatePipeline p;
  const auto out =
      p.deliver(p.route(), tew::Result<tew::CloudEvent>(tew::Error::invalid("id", "missing")));
  CHECK(out.status == Status::drop);
  CHECK(out.reason == "invalid CloudEvent: id: missing");
  CHECK(p.runs == 0);
  CHECK(p.sidecar.calls().empty());
  const auto text = p.metrics.render();
  CHECK(has_line(text, R"(tew_invalid_events_total{topic="task-events"} 1)"));
  CHECK(has_line(text, R"(tew_events_total{topic="task-events",type="",outcome="drop"} 1)"));
}

TEST_CASE("a payload its parser rejects is DROPped before anything is claimed") {
  StatePipeline p;
  auto route = p.route();
  route.prepare = [](const tew::CloudEvent&) -> tew::Result<tew::TopicHandler> {
    return tew::Error::invalid("task_id", "missing");
  };
  const auto out = p.deliver(route);
  CHECK(out.status == Status::drop);
  CHECK(out.reason == "invalid payload: task_id: missing");
  CHECK(p.sidecar.calls().empty());
  const auto text = p.metrics.render();
  CHECK(has_line(text, R"(tew_invalid_events_total{topic="task-events"} 1)"));
  CHECK(has_line(
      text,
      R"(tew_events_total{topic="task-events",type="com.dapr.event.sent",outcome="drop"} 1)"));
  CHECK(has_line(text, R"(tew_event_handling_seconds_count{topic="task-events"} 1)"));
}

TEST_CASE("the claim is keyed by app id plus route, the event's source and its id") {
  StatePipeline p;
  CHECK(p.deliver(p.route()).status == Status::success);
  const auto writes = p.sidecar.state_writes();
  REQUIRE_FALSE(writes.empty());
  const tew::DedupKey key{"tasks-app/events/tasks", "task-api",
                          "0f8fad5b-d9cb-469f-a165-70867728950e"};
  CHECK(writes[0].key == "dedup|" + key.str());
}

TEST_CASE("two routes receiving one event each run their handler once") {
  MemoryPipeline p;
  const auto first = p.route("/events/a");
  const auto second = p.route("/events/b");
  CHECK(p.deliver(first).status == Status::success);
  CHECK(p.deliver(second).status == Status::success);
  CHECK(p.deliver(first).status == Status::success);
  CHECK(p.runs == 2);
}

TEST_CASE("a handler answering DROP completes its claim: the redelivery does not run it") {
  MemoryPipeline p;
  p.act = [] { return Outcome::drop("task unknown"); };
  const auto route = p.route();
  CHECK(p.deliver(route).status == Status::drop);
  CHECK(p.deliver(route).status == Status::success);
  CHECK(p.runs == 1);
  CHECK(has_line(p.metrics.render(), R"(tew_duplicates_total{topic="task-events"} 1)"));
}

TEST_CASE("a handler throwing something that is not an exception is RETRY") {
  MemoryPipeline p;
  p.act = []() -> Outcome { throw 42; };
  const auto route = p.route();
  const auto out = p.deliver(route);
  CHECK(out.status == Status::retry);
  CHECK(out.reason == "handler failed with an unknown exception");
  p.act = [] { return Outcome::success(); };
  CHECK(p.deliver(route).status == Status::success);
  CHECK(p.runs == 2);
}

TEST_CASE("when the dedup store cannot claim, the event is RETRY and the handler does not run") {
  StatePipeline p;
  p.sidecar.fail_next(SidecarCallKind::save_state, tew::Error::unavailable("save", "down"));
  const auto out = p.deliver(p.route());
  CHECK(out.status == Status::retry);
  CHECK(out.reason.starts_with("dedup store: "));
  CHECK(p.runs == 0);
}

TEST_CASE("a claim that cannot be completed is still SUCCESS and keeps duplicates off its lease") {
  StatePipeline p;
  p.act = [&p] {
    p.sidecar.fail_next(SidecarCallKind::save_state, tew::Error::unavailable("save", "down"));
    return Outcome::success();
  };
  const auto route = p.route();
  CHECK(p.deliver(route).status == Status::success);
  p.act = [] { return Outcome::success(); };
  CHECK(p.deliver(route).status == Status::retry);  // its claim is still live
  CHECK(p.runs == 1);
  p.clock.advance(kPolicy.lease + 1s);
  CHECK(p.deliver(route).status == Status::success);  // the lease ran out: it runs again
  CHECK(p.runs == 2);
  CHECK(p.deliver(route).status == Status::success);
  CHECK(p.runs == 2);
}

TEST_CASE(
    "a claim that cannot be released after RETRY holds off redeliveries until its lease ends") {
  StatePipeline p;
  p.act = [&p] {
    p.sidecar.fail_next(SidecarCallKind::delete_state, tew::Error::unavailable("delete", "down"));
    return Outcome::retry("downstream busy");
  };
  const auto route = p.route();
  CHECK(p.deliver(route).status == Status::retry);
  p.act = [] { return Outcome::success(); };
  CHECK(p.deliver(route).status == Status::retry);
  CHECK(p.runs == 1);
  p.clock.advance(kPolicy.lease + 1s);
  CHECK(p.deliver(route).status == Status::success);
  CHECK(p.runs == 2);
}
