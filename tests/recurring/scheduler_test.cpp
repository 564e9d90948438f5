// The recurring-scheduler tick through SeriesHandler + SpawnSchedule + SeriesScheduler over a
// FakeStateStore shared by two replicas: spawning once per occurrence when it enters the
// look-ahead window, rescheduling, end of series, cancellation, the race with completions and
// with the other replica, lateness after downtime, and the cost of a tick.
#include "recurring/scheduler.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "recurring/handler.hpp"
#include "recurring/scheduled_spawn.hpp"
#include "run_awaitable.hpp"
#include "task_events.hpp"
#include "tew/rfc3339.hpp"

namespace {

using namespace std::chrono_literals;
using namespace tew::recurring;
using namespace tew::recurring::testing;
using nlohmann::json;
using tew::Status;
using tew::Timestamp;
using tew::testing::FakeClock;
using tew::testing::FakeSidecar;
using tew::testing::FakeStateStore;
using tew::testing::run_awaitable;
using tew::testing::SidecarCall;
using tew::testing::SidecarCallKind;

Timestamp utc(std::string_view text) {
  return tew::parse_rfc3339(text).value();
}

// The root task: daily at 18:00 Berlin (17:00Z in March) from 2026-03-03, spawned on schedule.
// With a look-ahead of 24 h the occurrence of day d+1 is spawned at 17:00Z on day d.
json root(std::string_view rule = "daily") {
  auto task = recurring_task("t-1", "2026-03-03T17:00:00Z", rule);
  task["spawn_on_schedule"] = true;
  return task;
}

const auto kCreatedAt = utc("2026-03-02T09:00:00Z");
const auto kOcc2 = utc("2026-03-04T17:00:00Z");
const auto kOcc3 = utc("2026-03-05T17:00:00Z");

// One replica of the service: its own sidecar client over the shared state store.
struct Replica {
  Replica(FakeStateStore& state, const tew::Clock& clock, std::chrono::seconds lookahead)
      : sidecar(state),
        schedule(sidecar, clock, {"statestore", "recurring|series-schedule|", lookahead}) {}

  tew::Outcome deliver(const tew::CloudEvent& e) {
    auto input = parse_recurring_input(e);
    REQUIRE(input.has_value());
    const tew::TopicSubscription sub{
        "pubsub", "task-events", "/events/task-events", std::nullopt, "recurring-dead-letters", {},
        {}};
    const tew::EventContext ctx{e, sub, "recurring"};
    return run_awaitable(handler.handle(*input, ctx));
  }
  tew::TickReport tick() { return run_awaitable(scheduler.tick()); }
  tew::Outcome on_tick() { return run_awaitable(scheduler.on_tick()); }
  std::vector<tew::PublishRequest> triggers() const { return sidecar.published(); }

  FakeSidecar sidecar;
  tew::Metrics metrics;
  SpawnSchedule schedule;
  SeriesHandler handler{sidecar, {"pubsub", "task-events", "statestore"}, schedule};
  SeriesScheduler scheduler{
      sidecar, metrics, schedule, {"pubsub", "task-events", "statestore", "recurring"}};
};

struct Fixture {
  explicit Fixture(std::chrono::seconds lookahead = 24h)
      : a(state, clock, lookahead), b(state, clock, lookahead) {}

  // Ticks (replica a) until the walk reaches now; returns how many series fired.
  int catch_up(Replica& r) {
    int fired = 0;
    for (int i = 0; i < 20; ++i) {
      const auto report = r.tick();
      REQUIRE_MESSAGE(!report.error, report.error->describe());
      fired += report.fired;
      if (report.caught_up) return fired;
    }
    FAIL("the tick did not catch up in 20 rounds");
    return fired;
  }
  int catch_up() { return catch_up(a); }
  void at(std::string_view time) { clock.set(utc(time)); }

  // The series started by the root's task.created at kCreatedAt, and one tick then.
  void create(json task = root()) {
    clock.set(kCreatedAt);
    REQUIRE(
        a.deliver(delivery("e-created", "task.created", std::move(task), "2026-03-02T09:00:00Z"))
            .status == Status::success);
    catch_up();
  }
  // The walk caught up to just before the first spawn (03-03 17:00Z), then the clock at 30 s
  // after it: the next tick fires the series.
  void at_first_spawn() {
    at("2026-03-03T16:59:00Z");
    REQUIRE(catch_up() == 0);
    at("2026-03-03T17:00:30Z");
  }

  json series(std::string_view id = "t-1") {
    return state.peek("series|" + std::string(id)).value().value;
  }
  std::optional<json> listing(std::string_view id = "t-1") {
    auto entry = state.peek("recurring|series-schedule|record|" + std::string(id));
    if (!entry) return std::nullopt;
    return entry->value;
  }
  std::vector<tew::PublishRequest> triggers() const {
    auto out = a.triggers();
    const auto more = b.triggers();
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }

  FakeClock clock{kCreatedAt};
  FakeStateStore state{clock};
  Replica a;
  Replica b;
};

std::set<std::string> distinct(const std::vector<tew::PublishRequest>& published) {
  std::set<std::string> out;
  for (const auto& p : published)
    out.insert(tew::to_json(p.event).dump());
  return out;
}

}  // namespace

TEST_SUITE("recurring scheduler") {
  TEST_CASE(
      "a series marked spawn_on_schedule is listed at its next occurrence minus the "
      "look-ahead") {
    Fixture f;
    f.create();
    const auto listed = f.listing().value();
    CHECK(listed.at("state") == "scheduled");
    CHECK(listed.at("due") == "2026-03-03T17:00:00Z");
    CHECK(f.triggers().empty());
  }

  TEST_CASE("a series not marked spawn_on_schedule is never listed") {
    Fixture f;
    auto task = root();
    task.erase("spawn_on_schedule");
    f.create(task);
    CHECK_FALSE(f.listing().has_value());
    f.at("2026-03-20T00:00:00Z");
    f.catch_up();
    CHECK(f.triggers().empty());
  }

  TEST_CASE("in mode completion the next occurrence is unknown: the series is not listed") {
    Fixture f;
    auto task = root();
    task["recurrence_mode"] = "completion";
    f.create(task);
    CHECK_FALSE(f.listing().has_value());
  }

  TEST_CASE("a tick spawns the next occurrence once it enters the window, once") {
    Fixture f;
    f.create();
    CHECK(f.triggers().empty());
    f.at_first_spawn();
    CHECK(f.a.on_tick().status == Status::success);
    const auto published = f.a.triggers();
    REQUIRE(published.size() == 1);
    const auto& event = published[0].event;
    CHECK(published[0].topic == "task-events");
    CHECK(published[0].traceparent.empty());
    CHECK(event.id == trigger_event_id("t-1", kOcc2));
    CHECK(event.time == utc("2026-03-03T17:00:30Z"));
    CHECK(event.data->at("task_id") == spawned_task_id("t-1", kOcc2));
    CHECK(event.data->at("metadata") == json{{"trigger", "schedule"}});
    CHECK_FALSE(event.data->contains("completed_task_id"));
    CHECK(event.data->at("task_data").at("due_date") == "2026-03-04T17:00:00Z");
    CHECK(event.data->at("task_data").at("spawn_on_schedule") == true);

    const auto series = f.series();
    CHECK(series.at("current").at("task_id") == spawned_task_id("t-1", kOcc2));
    CHECK(series.at("next").at("start") == "2026-03-05T17:00:00Z");
    CHECK_FALSE(series.contains("pending_trigger"));
    CHECK(f.listing()->at("due") == "2026-03-04T17:00:00Z");
    CHECK(f.state.peek("series-of|" + spawned_task_id("t-1", kOcc2)).has_value());

    // Again now, on either replica: nothing more. A day later: the occurrence after.
    CHECK(f.a.tick().fired == 0);
    CHECK(f.b.tick().fired == 0);
    CHECK(f.triggers().size() == 1);
    f.at("2026-03-04T17:00:10Z");
    CHECK(f.catch_up(f.b) == 1);
    REQUIRE(f.triggers().size() == 2);
    CHECK(f.b.triggers().at(0).event.id == trigger_event_id("t-1", kOcc3));
    CHECK(f.b.metrics.render().find(
              R"(tew_schedule_total{schedule="recurring",outcome="spawned"} 1)") !=
          std::string::npos);
  }

  TEST_CASE("the completion of the occurrence before a scheduled spawn spawns nothing") {
    Fixture f;
    f.create();
    f.at("2026-03-03T17:00:30Z");
    CHECK(f.catch_up() == 1);
    // t-1 (occurrence 1) is completed after the scheduler spawned occurrence 2.
    CHECK(
        f.a.deliver(delivery("e-done", "task.completed", root(), "2026-03-03T19:00:00Z")).status ==
        Status::success);
    CHECK(f.triggers().size() == 1);
    CHECK(f.series().at("current").at("index") == 2);
    CHECK(f.listing()->at("due") == "2026-03-04T17:00:00Z");
  }

  TEST_CASE("a completion before the window spawns the same task, the tick then spawns nothing") {
    Fixture f;
    f.create();
    f.at("2026-03-02T12:00:00Z");
    CHECK(
        f.a.deliver(delivery("e-done", "task.completed", root(), "2026-03-02T12:00:00Z")).status ==
        Status::success);
    REQUIRE(f.triggers().size() == 1);
    const auto by_completion = f.triggers()[0].event;
    CHECK(by_completion.data->at("task_id") == spawned_task_id("t-1", kOcc2));
    CHECK(by_completion.data->at("metadata") == json{{"trigger", "completion"}});
    // Listed again, for the occurrence after the spawned one.
    CHECK(f.listing()->at("due") == "2026-03-04T17:00:00Z");
    f.at("2026-03-03T17:00:30Z");
    CHECK(f.catch_up() == 0);
    CHECK(f.triggers().size() == 1);
  }

  TEST_CASE("a tick and a completion of the same occurrence racing spawn it once") {
    std::map<std::string, int> spawned_by;  // metadata.trigger of the one spawn, per race
    for (int nth = 1; nth <= 30; ++nth) {
      CAPTURE(nth);
      Fixture f;
      f.create();
      f.at_first_spawn();
      auto seen = std::make_shared<int>(0);
      f.a.sidecar.on_call([&, seen](const SidecarCall&) {
        if (++*seen != nth) return;
        CHECK(f.b.deliver(delivery("e-done", "task.completed", root(), "2026-03-03T17:00:20Z"))
                  .status == Status::success);
      });
      CHECK(f.catch_up() <= 1);
      f.a.sidecar.on_call(nullptr);
      CHECK(f.series().at("current").at("index") == 2);
      CHECK(f.series().at("current").at("task_id") == spawned_task_id("t-1", kOcc2));
      CHECK(distinct(f.triggers()).size() == 1);
      CHECK(f.triggers().at(0).event.id == trigger_event_id("t-1", kOcc2));
      CHECK(f.listing()->at("due") == "2026-03-04T17:00:00Z");
      CHECK(f.catch_up(f.b) == 0);
      ++spawned_by[f.triggers().at(0).event.data->at("metadata").at("trigger")];
    }
    // Both orders were raced: the completion first, and the tick first.
    CHECK(spawned_by["completion"] > 0);
    CHECK(spawned_by["schedule"] > 0);
  }

  TEST_CASE("two replicas ticking at once spawn each occurrence once") {
    int spawned_by_b = 0;
    int held_by_a = 0;
    for (int nth = 1; nth <= 30; ++nth) {
      CAPTURE(nth);
      Fixture f;
      f.create();
      f.at_first_spawn();
      auto seen = std::make_shared<int>(0);
      // Before a's nth sidecar call, b runs a whole tick.
      f.a.sidecar.on_call([&, seen](const SidecarCall&) {
        if (++*seen != nth) return;
        const auto other = f.b.tick();
        CHECK_FALSE(other.error.has_value());
        held_by_a += other.held;
      });
      const auto report = f.a.tick();
      f.a.sidecar.on_call(nullptr);
      CHECK_FALSE(report.error.has_value());
      CHECK(f.triggers().size() == 1);
      CHECK(f.series().at("current").at("index") == 2);
      CHECK(f.catch_up(f.b) == 0);
      CHECK(f.catch_up(f.a) == 0);
      CHECK(f.triggers().size() == 1);
      spawned_by_b += static_cast<int>(f.b.triggers().size());
    }
    // b won some races, and found a's claim live in others.
    CHECK(spawned_by_b > 0);
    CHECK(held_by_a > 0);
  }

  TEST_CASE("a replica whose claim ran out is taken over: still one spawn of the occurrence") {
    int taken_over = 0;
    for (int nth = 1; nth <= 30; ++nth) {
      CAPTURE(nth);
      Fixture f;
      f.create();
      f.at_first_spawn();
      auto seen = std::make_shared<int>(0);
      // a stalls past its claim's lease before its nth call; b takes the firing over.
      f.a.sidecar.on_call([&, seen](const SidecarCall&) {
        if (++*seen != nth) return;
        f.clock.advance(61s);
        f.b.tick();
      });
      f.a.tick();
      f.a.sidecar.on_call(nullptr);
      f.catch_up(f.b);
      CHECK(f.series().at("current").at("index") == 2);
      CHECK_FALSE(f.series().contains("pending_trigger"));
      // A publish may be repeated by the taker-over, but it is the identical event.
      REQUIRE(distinct(f.triggers()).size() == 1);
      CHECK(f.triggers().at(0).event.id == trigger_event_id("t-1", kOcc2));
      if (!f.b.triggers().empty()) ++taken_over;
    }
    CHECK(taken_over > 0);
  }

  TEST_CASE("COUNT ends the series: its last occurrence is spawned, then it is unlisted") {
    Fixture f;
    f.create(root("FREQ=DAILY;COUNT=3"));
    f.at("2026-03-03T17:00:30Z");
    CHECK(f.catch_up() == 1);
    f.at("2026-03-04T17:00:30Z");
    CHECK(f.catch_up() == 1);
    CHECK(f.series().at("state") == "ended");
    CHECK(f.series().at("current").at("index") == 3);
    CHECK(f.listing()->at("state") == "cancelled");
    f.at("2026-03-10T00:00:00Z");
    CHECK(f.catch_up() == 0);
    CHECK(f.triggers().size() == 2);
  }

  TEST_CASE("UNTIL ends the series the same way") {
    Fixture f;
    f.create(root("FREQ=DAILY;UNTIL=20260304T170000Z"));
    f.at("2026-03-03T17:00:30Z");
    CHECK(f.catch_up() == 1);
    CHECK(f.series().at("state") == "ended");
    CHECK(f.listing()->at("state") == "cancelled");
    f.at("2026-03-10T00:00:00Z");
    CHECK(f.catch_up() == 0);
    CHECK(f.triggers().size() == 1);
  }

  TEST_CASE("deleting the current task cancels the listing, nothing is spawned") {
    Fixture f;
    f.create();
    CHECK(
        f.a.deliver(delivery("e-del", "task.deleted", json{{"id", "t-1"}}, "2026-03-02T10:00:00Z"))
            .status == Status::success);
    CHECK(f.listing()->at("state") == "cancelled");
    f.at("2026-03-10T00:00:00Z");
    CHECK(f.catch_up() == 0);
    CHECK(f.triggers().empty());
  }

  TEST_CASE("an update that removes the recurrence or the flag cancels the listing") {
    for (const auto* field : {"recurrence", "spawn_on_schedule"}) {
      CAPTURE(field);
      Fixture f;
      f.create();
      auto task = root();
      task.erase(field);
      CHECK(f.a.deliver(delivery("e-upd", "task.updated", task, "2026-03-02T10:00:00Z")).status ==
            Status::success);
      CHECK(f.listing()->at("state") == "cancelled");
      f.at("2026-03-10T00:00:00Z");
      CHECK(f.catch_up() == 0);
      CHECK(f.triggers().empty());
      // Flagged again: listed again.
      CHECK(
          f.a.deliver(delivery("e-again", "task.updated", root(), "2026-03-10T00:00:00Z")).status ==
          Status::success);
      CHECK(f.listing()->at("state") == "scheduled");
    }
  }

  TEST_CASE("a listing a crash left behind fires once, spawns nothing and is cancelled") {
    Fixture f;
    f.create();
    auto task = root();
    task.erase("spawn_on_schedule");
    // The series is written, the index write fails (the process "dies" there).
    f.a.sidecar.on_call([&](const SidecarCall& call) {
      if (call.kind == SidecarCallKind::save_state &&
          call.keys.at(0).rfind("recurring|series-schedule|", 0) == 0)
        f.a.sidecar.fail_next(SidecarCallKind::save_state,
                              tew::Error::unavailable("state", "down"));
    });
    CHECK(f.a.deliver(delivery("e-upd", "task.updated", task, "2026-03-02T10:00:00Z")).status ==
          Status::retry);
    f.a.sidecar.on_call(nullptr);
    CHECK(f.series().at("spawn_on_schedule") == false);
    CHECK(f.listing()->at("state") == "scheduled");
    f.at("2026-03-03T17:00:30Z");
    CHECK(f.catch_up() == 1);
    CHECK(f.triggers().empty());
    CHECK(f.listing()->at("state") == "cancelled");
  }

  TEST_CASE("a failed publish stays in the outbox and the next tick publishes the same event") {
    Fixture f;
    f.create();
    f.at_first_spawn();
    f.a.sidecar.fail_next(SidecarCallKind::publish, tew::Error::unavailable("publish", "down"));
    const auto failed = f.a.on_tick();
    CHECK(failed.status == Status::retry);
    CHECK(f.triggers().empty());
    const auto pending = f.series().at("pending_trigger");
    f.at("2026-03-03T17:01:00Z");
    CHECK(f.b.on_tick().status == Status::success);
    REQUIRE(f.triggers().size() == 1);
    CHECK(tew::to_json(f.triggers()[0].event) == pending);
    CHECK(f.triggers()[0].event.time == utc("2026-03-03T17:00:30Z"));
    CHECK_FALSE(f.series().contains("pending_trigger"));
    CHECK(f.listing()->at("due") == "2026-03-04T17:00:00Z");
  }

  TEST_CASE("an unreadable series record is skipped loudly and holds no other series up") {
    Fixture f;
    f.create();
    REQUIRE(f.state
                .save({"series|broken", json{{"garbage", true}}, std::nullopt,
                       tew::Concurrency::first_write, tew::Consistency::strong, std::nullopt})
                .has_value());
    const tew::DueIndex::Change list = [](const std::optional<tew::DueRecord>&) {
      tew::DueRecord r;
      r.state = tew::DueState::scheduled;
      r.due = utc("2026-03-03T12:00:00Z");
      return std::optional<tew::DueRecord>(r);
    };
    REQUIRE(run_awaitable(f.a.schedule.index().update("broken", list)).has_value());
    f.at("2026-03-03T17:00:30Z");
    CHECK(f.catch_up() == 2);
    CHECK(f.triggers().size() == 1);
    CHECK(f.series("broken") == json{{"garbage", true}});
    CHECK(f.a.metrics.render().find(
              R"(tew_schedule_total{schedule="recurring",outcome="unreadable"} 1)") !=
          std::string::npos);
  }

  TEST_CASE("a state store that fails the tick is RETRY, the next tick spawns") {
    Fixture f;
    f.create();
    f.at_first_spawn();
    f.a.sidecar.fail_next(SidecarCallKind::get_state, tew::Error::unavailable("state", "down"));
    CHECK(f.a.on_tick().status == Status::retry);
    CHECK(f.triggers().empty());
    CHECK(f.a.on_tick().status == Status::success);
    CHECK(f.triggers().size() == 1);
  }
}

TEST_SUITE("recurring scheduler: pending triggers") {
  // A task recurring daily at 18:00 Berlin in `mode`, not spawned on schedule: only its
  // completion spawns, and nothing but the completion's event names the series.
  json by_completion(std::string_view mode) {
    auto task = root();
    task.erase("spawn_on_schedule");
    task["recurrence_mode"] = mode;
    return task;
  }

  constexpr std::string_view kDoneAt = "2026-03-03T20:00:00Z";
  tew::CloudEvent completion(std::string_view mode) {
    return delivery("e-done", "task.completed", by_completion(mode), kDoneAt);
  }

  // The series created, then its completion at kDoneAt answered RETRY because the publish is
  // refused, which lists the series for the tick. Unless a test redelivers it, daprd has given
  // up on the event: it is never delivered again.
  json failed_completion(Fixture & f, std::string_view mode) {
    f.create(by_completion(mode));
    f.at(kDoneAt);
    f.a.sidecar.fail_next(SidecarCallKind::publish, tew::Error::unavailable("pubsub", "down"));
    const auto out = f.a.deliver(completion(mode));
    CHECK(out.status == Status::retry);
    REQUIRE(f.triggers().empty());
    return f.series().at("pending_trigger");
  }

  constexpr std::string_view kRecovered =
      R"(tew_schedule_total{schedule="recurring",outcome="recovered"})";

  TEST_CASE("a trigger whose completion was given up on is published by the next tick, once") {
    for (const auto* mode : {"completion", "due"}) {
      CAPTURE(mode);
      Fixture f;
      const auto pending = failed_completion(f, mode);
      CHECK(f.listing()->at("state") == "scheduled");
      CHECK(f.listing()->at("due") == kDoneAt);
      f.at("2026-03-03T20:01:00Z");
      CHECK(f.b.on_tick().status == Status::success);
      REQUIRE(f.triggers().size() == 1);
      CHECK(tew::to_json(f.triggers()[0].event) == pending);
      CHECK(f.triggers()[0].traceparent.empty());
      CHECK_FALSE(f.series().contains("pending_trigger"));
      CHECK(f.series().at("current").at("index") == 2);
      const auto spawned = pending.at("data").at("task_id").get<std::string>();
      CHECK(f.state.peek("series-of|" + spawned).has_value());
      CHECK(f.listing()->at("state") == "cancelled");
      CHECK(f.b.metrics.render().find(std::string(kRecovered) + " 1") != std::string::npos);
      // Published once: later ticks, on either replica, find nothing to do.
      f.at("2026-03-20T00:00:00Z");
      CHECK(f.catch_up(f.a) == 0);
      CHECK(f.catch_up(f.b) == 0);
      CHECK(f.triggers().size() == 1);
    }
  }

  TEST_CASE("the redelivered completion and the tick racing publish the one trigger once") {
    int published_by_tick = 0;
    int published_by_handler = 0;
    for (int nth = 1; nth <= 24; ++nth) {
      CAPTURE(nth);
      Fixture f;
      const auto pending = failed_completion(f, "completion");
      const auto id = pending.at("id").get<std::string>();
      f.at("2026-03-03T20:01:00Z");
      // Before the tick's nth sidecar call, daprd redelivers the completion to replica b.
      auto seen = std::make_shared<int>(0);
      f.a.sidecar.on_call([&, seen](const SidecarCall&) {
        if (++*seen != nth) return;
        CHECK(f.b.deliver(completion("completion")).status == Status::success);
      });
      CHECK(f.a.on_tick().status == Status::success);
      f.a.sidecar.on_call(nullptr);
      if (*seen < nth) CHECK(f.b.deliver(completion("completion")).status == Status::success);
      // A publish may be repeated, but it is the identical event: downstream dedup absorbs it.
      REQUIRE(distinct(f.triggers()).size() == 1);
      CHECK(f.triggers().at(0).event.id == id);
      CHECK(tew::to_json(f.triggers().at(0).event).at("data") == pending.at("data"));
      CHECK(f.series().at("current").at("index") == 2);
      CHECK_FALSE(f.series().contains("pending_trigger"));
      CHECK(f.listing()->at("state") == "cancelled");
      f.at("2026-03-20T00:00:00Z");
      CHECK(f.catch_up(f.a) == 0);
      CHECK(distinct(f.triggers()).size() == 1);
      published_by_tick += static_cast<int>(f.a.triggers().size());
      published_by_handler += static_cast<int>(f.b.triggers().size());
    }
    // Both orders were raced: the redelivery first, and the tick first.
    CHECK(published_by_tick > 0);
    CHECK(published_by_handler > 0);
  }

  TEST_CASE("series without a pending trigger give the tick nothing to publish") {
    for (const auto* mode : {"completion", "due"}) {
      CAPTURE(mode);
      Fixture f;
      f.create(by_completion(mode));
      f.at(kDoneAt);
      CHECK(f.a.deliver(completion(mode)).status == Status::success);
      CHECK(f.triggers().size() == 1);
      CHECK_FALSE(f.listing().has_value());  // published at once: never listed
      f.at("2026-03-20T00:00:00Z");
      CHECK(f.catch_up(f.a) == 0);
      CHECK(f.catch_up(f.b) == 0);
      CHECK(f.triggers().size() == 1);
      CHECK(f.a.metrics.render().find(kRecovered) == std::string::npos);
    }
  }

  TEST_CASE(
      "an entry listed for a trigger its redelivery then published fires once, publishes "
      "nothing and is unlisted") {
    for (const auto* mode : {"completion", "due"}) {
      CAPTURE(mode);
      Fixture f;
      failed_completion(f, mode);
      CHECK(f.a.deliver(completion(mode)).status == Status::success);
      REQUIRE(f.triggers().size() == 1);
      CHECK_FALSE(f.series().contains("pending_trigger"));
      CHECK(f.listing()->at("state") == "scheduled");  // stale: the handler leaves it
      const auto series = f.series();
      f.at("2026-03-03T20:01:00Z");
      CHECK(f.catch_up(f.b) == 1);
      CHECK(f.triggers().size() == 1);
      CHECK(f.series() == series);
      CHECK(f.listing()->at("state") == "cancelled");
      CHECK(f.b.metrics.render().find(kRecovered) == std::string::npos);
      f.at("2026-03-20T00:00:00Z");
      CHECK(f.catch_up(f.a) == 0);
      CHECK(f.catch_up(f.b) == 0);
      CHECK(f.triggers().size() == 1);
    }
  }

  TEST_CASE("an unreadable pending trigger is skipped loudly and holds no other series up") {
    Fixture f;
    f.create();  // t-1, spawned on schedule at 03-03 17:00Z
    auto other = by_completion("completion");
    other["id"] = "b-1";
    REQUIRE(f.a.deliver(delivery("e-b", "task.created", other, "2026-03-02T09:00:00Z")).status ==
            Status::success);
    auto broken = f.series("b-1");
    broken["pending_trigger"] = json{{"garbage", true}};
    REQUIRE(f.state
                .save({"series|b-1", broken, std::nullopt, tew::Concurrency::last_write,
                       tew::Consistency::strong, std::nullopt})
                .has_value());
    REQUIRE(run_awaitable(f.a.schedule.sync("b-1", std::nullopt)).has_value());
    CHECK(f.listing("b-1")->at("state") == "scheduled");
    f.at("2026-03-03T17:00:30Z");
    CHECK(f.catch_up() == 2);
    CHECK(f.triggers().size() == 1);  // t-1's
    CHECK(f.series("b-1") == broken);
    CHECK(f.a.metrics.render().find(
              R"(tew_schedule_total{schedule="recurring",outcome="unreadable"} 1)") !=
          std::string::npos);
    CHECK(f.catch_up() == 0);
  }
}

TEST_SUITE("recurring scheduler: lateness") {
  TEST_CASE(
      "after downtime only the latest occurrence that has begun is spawned, the earlier "
      "ones are skipped and recorded") {
    Fixture f;
    f.create();
    // Down from before the first spawn until an hour after occurrence 5 began (03-07 17:00Z).
    f.at("2026-03-07T18:00:00Z");
    CHECK(f.catch_up() >= 1);
    const auto first = f.a.triggers().at(0).event;
    CHECK(first.data->at("occurrence_index") == 5);
    CHECK(first.data->at("task_data").at("due_date") == "2026-03-07T17:00:00Z");
    CHECK(first.data->at("metadata") == json{{"trigger", "schedule"}, {"skipped_occurrences", 3}});
    CHECK(first.data->at("task_id") == spawned_task_id("t-1", utc("2026-03-07T17:00:00Z")));
    CHECK(f.series().at("skipped_occurrences") == 3);
    const auto metrics = f.a.metrics.render();
    CHECK(metrics.find(R"(tew_schedule_total{schedule="recurring",outcome="skipped"} 3)") !=
          std::string::npos);
    CHECK(metrics.find(R"(tew_schedule_total{schedule="recurring",outcome="late"} 1)") !=
          std::string::npos);
    // Occurrence 6 is inside the window already (it begins 03-08 17:00Z): spawned, not skipped.
    f.catch_up();
    const auto all = f.a.triggers();
    REQUIRE(all.size() == 2);
    CHECK(all[1].event.data->at("occurrence_index") == 6);
    CHECK(all[1].event.data->at("metadata") == json{{"trigger", "schedule"}});
    CHECK(f.series().at("skipped_occurrences") == 3);
  }

  TEST_CASE(
      "a look-ahead longer than the period spawns each occurrence in the window, none "
      "skipped") {
    Fixture f(5 * 24h);  // at 03-02 09:00Z, occurrences 2 to 4 (03-04 to 03-06) are in it
    f.create();          // and its tick spawns occurrence 2; each later tick one more
    f.catch_up();
    f.catch_up();
    f.catch_up();
    const auto published = f.a.triggers();
    REQUIRE(published.size() == 3);
    for (std::size_t i = 0; i < published.size(); ++i) {
      CAPTURE(i);
      CHECK(published[i].event.data->at("occurrence_index") == static_cast<int>(i) + 2);
      CHECK(published[i].event.data->at("metadata") == json{{"trigger", "schedule"}});
    }
    CHECK(f.listing()->at("due") == "2026-03-02T17:00:00Z");
  }
}

TEST_SUITE("recurring scheduler: cost") {
  // State reads of one tick that fires one series, with `others` series listed for later.
  std::size_t reads_of_a_tick_with(int others) {
    Fixture f;
    f.create();
    for (int i = 0; i < others; ++i) {
      // Spawned on schedule between 03-04 and 03-24: none due at the tick below.
      auto task =
          recurring_task("s-" + std::to_string(i),
                         tew::format_rfc3339(utc("2026-03-05T17:00:00Z") + i * 97min), "weekly");
      task["spawn_on_schedule"] = true;
      REQUIRE(f.a.deliver(delivery("c-" + std::to_string(i), "task.created", task,
                                   "2026-03-02T09:00:00Z"))
                  .status == Status::success);
    }
    f.at_first_spawn();
    f.a.sidecar.clear_recorded();
    const auto report = f.a.tick();
    CHECK(report.fired == 1);
    CHECK(report.records_read == 1);
    CHECK(f.triggers().size() == 1);
    std::size_t reads = 0;
    for (const auto& call : f.a.sidecar.calls())
      if (call.kind == SidecarCallKind::get_state || call.kind == SidecarCallKind::get_state_bulk)
        reads += call.keys.size();
    return reads;
  }

  TEST_CASE("a tick reads what is due, not what is listed: 1 due among 300 costs as 1 alone") {
    const auto alone = reads_of_a_tick_with(0);
    const auto among_many = reads_of_a_tick_with(300);
    MESSAGE("state keys read by the tick: " << alone << " alone, " << among_many
                                            << " among 300 listed");
    CHECK(alone <= 16);
    CHECK(among_many == alone);
  }
}
