// The reminder service's handlers against a FakeSidecar and a FakeClock: task events shape the
// schedule, ticks publish reminder.due once, across replicas, late or missed after downtime.
#include "reminder/reminder_service.hpp"

#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "reminder/config.hpp"
#include "run_awaitable.hpp"
#include "task_events.hpp"

using namespace reminder_test;
using namespace std::chrono_literals;
using tew::DueState;
using tew::Status;
using tew::testing::FakeClock;
using tew::testing::FakeSidecar;
using tew::testing::FakeStateStore;
using tew::testing::run_awaitable;
using tew::testing::SidecarCall;
using tew::testing::SidecarCallKind;

namespace {

reminder::ReminderConfig default_config() {
  tew::Env env([](std::string_view) -> std::optional<std::string> { return std::nullopt; });
  return reminder::read_reminder_config(env);
}

const tew::TopicSubscription kSubscription{
    "pubsub", "task-events", "/events/task-events", std::nullopt, "reminder-dead-letters", {}, {}};

// One replica of the service: its own sidecar and metrics over the shared state store.
struct Replica {
  Replica(FakeStateStore& state, const tew::Clock& clock)
      : sidecar(state),
        service({sidecar, metrics, clock}, default_config(),
                reminder::schedule_options(default_config(), "statestore", "reminder"),
                {"pubsub", "reminders", "reminder"}) {}

  tew::Outcome deliver(const TaskEventSpec& spec, const std::string& id = "evt-1") {
    const auto event = delivered(task_event_payload(spec), id);
    const auto input = reminder::read_task_event_input(event).value();
    const tew::EventContext ctx{event, kSubscription, "reminder"};
    return run_awaitable(service.on_task_event(input, ctx));
  }
  tew::Outcome tick() { return run_awaitable(service.on_tick()); }
  // After downtime the cursor is behind: each tick walks at most REMINDER_TICK_MAX_BUCKETS.
  int ticks_to_catch_up(const tew::Clock& clock) {
    for (int ticks = 1; ticks <= 10; ++ticks) {
      REQUIRE(tick().status == tew::Status::success);
      const auto cursor = sidecar.state().peek("reminder|reminders|cursor");
      if (cursor && tew::parse_rfc3339(cursor->value.at("next").get<std::string>()).value() +
                            std::chrono::seconds(60) >
                        clock.now())
        return ticks;
    }
    FAIL("the schedule did not catch up within 10 ticks");
    return 0;
  }

  std::vector<std::string> published_ids() const {
    std::vector<std::string> ids;
    for (const auto& p : sidecar.published())
      ids.push_back(p.event.id);
    return ids;
  }
  std::optional<tew::DueRecord> record(const std::string& id = kTaskId) {
    return run_awaitable(service.schedule().get(id)).value();
  }

  FakeSidecar sidecar;
  tew::Metrics metrics;
  reminder::ReminderService service;
};

struct Fixture {
  FakeClock clock{at("2026-03-02T09:00:00Z")};
  FakeStateStore state{clock};
  Replica a{state, clock};
  Replica b{state, clock};
};

std::string due_id(const char* remind_at, const std::string& task = kTaskId) {
  return reminder::reminder_event_id(task, at(remind_at));
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_SUITE("reminder service: task events") {
  TEST_CASE("a task with remind_at is scheduled, the first tick after it publishes once") {
    Fixture f;
    CHECK(f.a.deliver(spec().remind("2026-03-02T10:00:00Z")).status == Status::success);
    CHECK(f.a.record()->state == DueState::scheduled);
    CHECK(f.a.tick().status == Status::success);
    CHECK(f.a.sidecar.published().empty());

    f.clock.set(at("2026-03-02T10:00:07Z"));
    CHECK(f.a.tick().status == Status::success);
    CHECK(f.a.tick().status == Status::success);
    REQUIRE(f.a.published_ids() == std::vector<std::string>{due_id("2026-03-02T10:00:00Z")});
    const auto published = f.a.sidecar.published().at(0);
    CHECK(published.topic == "reminders");
    CHECK(published.event.data->at("late") == false);
    CHECK(f.a.record()->state == DueState::fired);
    CHECK(has_line(f.a.metrics.render(),
                   R"(tew_schedule_total{schedule="reminder",outcome="fired"} 1)"));
  }

  TEST_CASE("an update moving remind_at reschedules: only the new time fires") {
    Fixture f;
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    f.a.deliver(spec().type("task.updated").remind("2026-03-02T11:00:00Z").version(2), "evt-2");
    f.clock.set(at("2026-03-02T10:30:00Z"));
    f.a.tick();
    CHECK(f.a.sidecar.published().empty());
    f.clock.set(at("2026-03-02T11:00:00Z"));
    f.a.tick();
    CHECK(f.a.published_ids() == std::vector<std::string>{due_id("2026-03-02T11:00:00Z")});
  }

  TEST_CASE("completion and deletion cancel: nothing is published") {
    for (const char* type : {"task.completed", "task.deleted"}) {
      CAPTURE(type);
      Fixture f;
      f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
      f.a.deliver(spec().type(type).remind("2026-03-02T10:00:00Z").version(2), "evt-2");
      f.clock.set(at("2026-03-02T10:05:00Z"));
      f.a.tick();
      CHECK(f.a.sidecar.published().empty());
      CHECK(f.a.record()->state == DueState::cancelled);
    }
  }

  TEST_CASE("out of order: an older event arriving after a newer one changes nothing") {
    Fixture f;
    f.a.deliver(spec().type("task.updated").remind("2026-03-02T11:00:00Z").version(2), "evt-2");
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z").version(1), "evt-1");
    CHECK(f.a.record()->due == at("2026-03-02T11:00:00Z"));
    f.a.deliver(spec().type("task.deleted").version(3), "evt-3");
    f.a.deliver(spec().type("task.updated").remind("2026-03-02T12:00:00Z").version(2), "evt-2b");
    f.clock.set(at("2026-03-02T13:00:00Z"));
    f.a.tick();
    CHECK(f.a.sidecar.published().empty());
    CHECK(f.a.record()->state == DueState::cancelled);
  }

  TEST_CASE("a redelivered event leaves the schedule as it was and publishes once") {
    Fixture f;
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    f.clock.set(at("2026-03-02T10:00:00Z"));
    f.a.tick();
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    f.a.tick();
    CHECK(f.a.published_ids().size() == 1);
  }

  TEST_CASE("event types this service does not handle are acknowledged, counted, not stored") {
    Fixture f;
    auto payload = task_event_payload(spec().remind("2026-03-02T10:00:00Z"));
    payload["event_type"] = "recurring.trigger";
    const auto event = delivered(payload);
    const auto input = reminder::read_task_event_input(event).value();
    const tew::EventContext ctx{event, kSubscription, "reminder"};
    CHECK(run_awaitable(f.a.service.on_task_event(input, ctx)).status == Status::success);
    CHECK(f.a.sidecar.calls().empty());
    CHECK(has_line(
        f.a.metrics.render(),
        R"(tew_ignored_events_total{topic="task-events",event_type="recurring.trigger"} 1)"));
  }

  TEST_CASE("a state store failure answers RETRY, so daprd redelivers") {
    Fixture f;
    f.a.sidecar.fail_next(SidecarCallKind::get_state, tew::Error::unavailable("sidecar", "down"));
    const auto out = f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    CHECK(out.status == Status::retry);
    CHECK(out.reason.find("down") != std::string::npos);
    CHECK(f.a.deliver(spec().remind("2026-03-02T10:00:00Z")).status == Status::success);
  }
}

TEST_SUITE("reminder service: downtime") {
  TEST_CASE("an overdue reminder within the maximum lateness fires at the next tick, late") {
    Fixture f;
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    f.clock.set(at("2026-03-02T10:40:00Z"));     // the replicas were down for 40 minutes
    CHECK(f.a.ticks_to_catch_up(f.clock) == 2);  // 100 one-minute buckets, 60 per tick
    REQUIRE(f.a.sidecar.published().size() == 1);
    const auto data = *f.a.sidecar.published()[0].event.data;
    CHECK(data.at("late") == true);
    CHECK(data.at("timestamp") == "2026-03-02T10:40:00Z");
    CHECK(has_line(f.a.metrics.render(),
                   R"(tew_schedule_total{schedule="reminder",outcome="late"} 1)"));
  }

  TEST_CASE("a reminder older than the maximum lateness is recorded missed and counted") {
    Fixture f;
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    f.a.deliver(spec().remind("2026-03-02T10:50:00Z").task("other"), "evt-other");
    f.clock.set(at("2026-03-02T11:00:01Z"));
    CHECK(f.a.ticks_to_catch_up(f.clock) == 2);
    CHECK(f.a.published_ids() == std::vector<std::string>{due_id("2026-03-02T10:50:00Z", "other")});
    CHECK(f.a.record()->state == DueState::missed);
    CHECK(has_line(f.a.metrics.render(),
                   R"(tew_schedule_total{schedule="reminder",outcome="missed"} 1)"));
  }

  TEST_CASE("a failed publish answers RETRY, the next tick publishes the identical event") {
    Fixture f;
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    f.clock.set(at("2026-03-02T10:00:03Z"));
    f.a.sidecar.fail_next(SidecarCallKind::publish, tew::Error::unavailable("pubsub", "down"));
    CHECK(f.a.tick().status == Status::retry);
    f.clock.set(at("2026-03-02T10:00:13Z"));
    CHECK(f.a.tick().status == Status::success);
    REQUIRE(f.a.sidecar.published().size() == 1);
    CHECK(f.a.sidecar.published()[0].event.time == at("2026-03-02T10:00:03Z"));
  }
}

TEST_SUITE("reminder service: replicas") {
  TEST_CASE("two replicas ticking interleaved publish each reminder once") {
    Fixture f;
    for (int i = 0; i < 12; ++i)
      f.a.deliver(spec()
                      .remind("2026-03-02T10:0" + std::to_string(i % 6) + ":00Z")
                      .task("task-" + std::to_string(i)),
                  "evt-" + std::to_string(i));
    // b ticks between a's reads and writes (before every other write of a's).
    int writes = 0;
    bool inside = false;
    f.a.sidecar.on_call([&](const SidecarCall& call) {
      if (call.kind != SidecarCallKind::save_state || inside || ++writes % 2 == 0) return;
      inside = true;
      f.b.tick();
      inside = false;
    });
    for (int minute = 0; minute < 7; ++minute) {
      f.clock.set(at("2026-03-02T10:00:00Z") + std::chrono::minutes(minute) + 5s);
      f.a.tick();
      f.b.tick();
    }
    auto ids = f.a.published_ids();
    const auto from_b = f.b.published_ids();
    ids.insert(ids.end(), from_b.begin(), from_b.end());
    std::sort(ids.begin(), ids.end());
    CHECK(ids.size() == 12);
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  }

  TEST_CASE("a tick that arrives while this replica's previous one runs returns at once") {
    Fixture f;
    f.a.deliver(spec().remind("2026-03-02T10:00:00Z"));
    f.clock.set(at("2026-03-02T10:00:00Z"));
    std::optional<tew::Outcome> overlapping;
    std::size_t calls_of_overlapping = 0;
    f.a.sidecar.on_call([&](const SidecarCall& call) {
      if (call.kind != SidecarCallKind::publish || overlapping) return;
      const auto before = f.a.sidecar.calls().size();
      overlapping = f.a.tick();
      calls_of_overlapping = f.a.sidecar.calls().size() - before;
    });
    CHECK(f.a.tick().status == Status::success);
    REQUIRE(overlapping.has_value());
    CHECK(overlapping->status == Status::success);
    CHECK(calls_of_overlapping == 0);
    CHECK(f.a.published_ids().size() == 1);
  }

  TEST_CASE("a tick costs the same with 3 or 300 reminders scheduled for later") {
    const auto calls_of_tick = [](int later) {
      Fixture f;
      for (int i = 0; i < later; ++i)
        f.a.deliver(spec().remind("2026-03-09T10:00:00Z").task("later-" + std::to_string(i)),
                    "evt-" + std::to_string(i));
      f.a.deliver(spec().remind("2026-03-02T09:00:30Z"), "evt-due");
      f.clock.set(at("2026-03-02T09:01:10Z"));
      f.a.sidecar.clear_recorded();
      f.a.tick();
      REQUIRE(f.a.published_ids().size() == 1);
      return f.a.sidecar.calls().size();
    };
    CHECK(calls_of_tick(3) == calls_of_tick(300));
  }
}
