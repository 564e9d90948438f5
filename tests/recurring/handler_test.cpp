#include "recurring/handler.hpp"

#include <doctest/doctest.h>

#include "captured_log.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "run_awaitable.hpp"
#include "task_events.hpp"
#include "tew/rfc3339.hpp"

namespace {

using namespace tew::recurring;
using namespace tew::recurring::testing;
using nlohmann::json;
using tew::Status;
using tew::testing::FakeClock;
using tew::testing::FakeSidecar;
using tew::testing::FakeStateStore;
using tew::testing::SidecarCallKind;

const auto kNext = tew::parse_rfc3339("2026-03-10T17:00:00Z").value();

json root(std::string_view rule = "weekly") {
  return recurring_task("t-1", "2026-03-03T17:00:00Z", rule);
}

tew::CloudEvent completed(std::string_view event_id, std::string_view at = "2026-03-03T20:00:00Z") {
  return delivery(event_id, "task.completed", root(), at);
}

// One replica of the service: its own sidecar client over a shared state store.
struct Replica {
  Replica(FakeStateStore& state, const tew::Clock& clock)
      : sidecar(state),
        schedule(sidecar, clock,
                 {"statestore", "recurring|series-schedule|", std::chrono::hours(24)}) {}

  tew::Outcome deliver(const tew::CloudEvent& e) {
    auto input = parse_recurring_input(e);
    REQUIRE(input.has_value());
    const tew::TopicSubscription sub{
        "pubsub", "task-events", "/events/task-events", std::nullopt, "recurring-dead-letters", {},
        {}};
    const tew::EventContext ctx{e, sub, "recurring"};
    return tew::testing::run_awaitable(handler.handle(*input, ctx));
  }

  FakeSidecar sidecar;
  SpawnSchedule schedule;
  SeriesHandler handler{sidecar, {"pubsub", "task-events", "statestore"}, schedule};
};

struct Fixture {
  FakeClock clock;
  FakeStateStore state{clock};
  Replica app{state, clock};

  std::optional<json> record(std::string_view key) {
    auto entry = state.peek(std::string(key));
    if (!entry) return std::nullopt;
    return entry->value;
  }
  json series() { return record("series|t-1").value(); }
};

}  // namespace

TEST_CASE("a completion publishes one recurring.trigger and advances the series") {
  Fixture f;
  const auto out = f.app.deliver(completed("e-1"));
  CHECK(out.status == Status::success);
  const auto published = f.app.sidecar.published();
  REQUIRE(published.size() == 1);
  CHECK(published[0].pubsub == "pubsub");
  CHECK(published[0].topic == "task-events");
  CHECK(published[0].traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(published[0].event.type == "recurring.trigger");
  CHECK(published[0].event.id == trigger_event_id("t-1", kNext));
  CHECK(published[0].event.data->at("task_data").at("due_date") == "2026-03-10T17:00:00Z");

  const auto series = f.series();
  CHECK(series.at("current").at("task_id") == spawned_task_id("t-1", kNext));
  CHECK_FALSE(series.contains("pending_trigger"));
  CHECK(f.record("series-of|" + spawned_task_id("t-1", kNext)) == json{{"series_id", "t-1"}});
}

TEST_CASE("the published trigger is logged with the new task's id and due date") {
  tew::testing::CapturedLog log({"recurring", tew::LogFormat::json, spdlog::level::info});
  Fixture f;
  f.app.deliver(completed("e-1"));
  const auto lines = log.lines_with({"published recurring.trigger"});
  REQUIRE(lines.size() == 1);
  const auto line = json::parse(lines[0]);
  CHECK(line.at("series_id") == "t-1");
  CHECK(line.at("new_task_id") == spawned_task_id("t-1", kNext));
  CHECK(line.at("due_date") == "2026-03-10T17:00:00Z");
  CHECK(line.at("trigger") == "completion");
  CHECK(line.at("trigger_id") == trigger_event_id("t-1", kNext));
}

TEST_CASE("every series write is first-write, guarded by the ETag read unless it inserts") {
  Fixture f;
  f.app.deliver(completed("e-1"));
  int series_writes = 0;
  for (const auto& w : f.app.sidecar.state_writes()) {
    if (w.key != "series|t-1") continue;
    CAPTURE(series_writes);
    CHECK(w.concurrency == tew::Concurrency::first_write);
    CHECK(w.etag.has_value() == (series_writes > 0));
    ++series_writes;
  }
  CHECK(series_writes == 2);  // the advance with its trigger, then the trigger cleared
}

TEST_CASE("a first completion reads its series once: what it inserts is not read back") {
  Fixture f;
  CHECK(f.app.deliver(completed("e-1")).status == Status::success);
  int series_reads = 0;
  for (const auto& call : f.app.sidecar.calls())
    for (const auto& key : call.keys)
      if ((call.kind == SidecarCallKind::get_state ||
           call.kind == SidecarCallKind::get_state_bulk) &&
          key == "series|t-1")
        ++series_reads;
  CHECK(series_reads == 1);
  // read the series and the link (one bulk call), insert the series with its trigger, link the
  // new task, publish, clear the trigger
  CHECK(f.app.sidecar.calls().size() == 5);
  CHECK(f.app.sidecar.calls().at(0).kind == SidecarCallKind::get_state_bulk);
  CHECK(f.app.sidecar.calls().at(0).keys ==
        std::vector<std::string>{"series|t-1", "series-of|t-1"});
  CHECK_FALSE(f.series().contains("pending_trigger"));
}

TEST_CASE("a trigger whose publish fails is listed for the scheduler, at its time, and is RETRY") {
  Fixture f;
  f.clock.set(tew::parse_rfc3339("2026-03-03T20:00:05Z").value());
  f.app.sidecar.fail_next(SidecarCallKind::publish, tew::Error::unavailable("pubsub", "down"));
  const auto out = f.app.deliver(completed("e-1"));
  CHECK(out.status == Status::retry);
  CHECK(out.reason.find("publishing the pending trigger") != std::string::npos);
  CHECK(f.series().contains("pending_trigger"));
  const auto listed = f.record("recurring|series-schedule|record|t-1").value();
  CHECK(listed.at("state") == "scheduled");
  CHECK(listed.at("due") == "2026-03-03T20:00:00Z");  // the completion's time
}

TEST_CASE(
    "a trigger that can be neither published nor listed is RETRY, and the redelivery publishes "
    "it") {
  tew::testing::CapturedLog log({"recurring", tew::LogFormat::json, spdlog::level::warn});
  Fixture f;
  f.app.sidecar.fail_next(SidecarCallKind::publish, tew::Error::unavailable("pubsub", "down"));
  f.app.sidecar.on_call([&](const tew::testing::SidecarCall& call) {
    // The state store goes down with the broker: the listing's first read fails.
    if (call.kind == SidecarCallKind::publish)
      f.app.sidecar.fail_next(SidecarCallKind::get_state, tew::Error::unavailable("state", "down"));
  });
  const auto out = f.app.deliver(completed("e-1"));
  f.app.sidecar.on_call(nullptr);
  CHECK(out.status == Status::retry);
  CHECK(out.reason.find("publishing the pending trigger") != std::string::npos);
  CHECK(out.reason.find("listing it for the scheduler") != std::string::npos);
  CHECK(log.lines_with({"pending trigger not listed for the scheduler"}).size() == 1);
  CHECK_FALSE(f.record("recurring|series-schedule|record|t-1").has_value());
  CHECK(f.series().contains("pending_trigger"));

  CHECK(f.app.deliver(completed("e-1")).status == Status::success);
  REQUIRE(f.app.sidecar.published().size() == 1);
  CHECK(f.app.sidecar.published()[0].event.id == trigger_event_id("t-1", kNext));
  CHECK_FALSE(f.series().contains("pending_trigger"));
}

TEST_CASE("when clearing the trigger of a new series conflicts, the next round publishes it once") {
  Fixture f;
  // The second series write clears the trigger, guarded by the ETag an insert gets.
  int series_writes = 0;
  f.app.sidecar.on_call([&](const tew::testing::SidecarCall& call) {
    if (call.kind != SidecarCallKind::save_state || call.keys.at(0) != "series|t-1") return;
    if (++series_writes != 2) return;
    tew::Error conflict = tew::Error::unavailable("statestore", "etag mismatch");
    conflict.kind = tew::ErrorKind::conflict;
    f.app.sidecar.fail_next(SidecarCallKind::save_state, conflict);
  });
  CHECK(f.app.deliver(completed("e-1")).status == Status::success);
  const auto published = f.app.sidecar.published();
  REQUIRE(published.size() == 2);  // the same trigger again: downstream dedup absorbs it
  CHECK(published[0].event.id == published[1].event.id);
  CHECK_FALSE(f.series().contains("pending_trigger"));
  CHECK(f.series().at("current").at("task_id") == spawned_task_id("t-1", kNext));
}

TEST_CASE("a redelivered completion publishes nothing more") {
  Fixture f;
  f.app.deliver(completed("e-1"));
  CHECK(f.app.deliver(completed("e-1")).status == Status::success);
  CHECK(f.app.sidecar.published().size() == 1);
}

TEST_CASE("complete, reopen, complete again: still one trigger") {
  Fixture f;
  f.app.deliver(completed("e-1"));
  auto reopened = root();
  reopened["is_complete"] = false;
  CHECK(f.app.deliver(delivery("e-2", "task.updated", reopened, "2026-03-04T08:00:00Z")).status ==
        Status::success);
  CHECK(f.app.deliver(completed("e-3", "2026-03-04T09:00:00Z")).status == Status::success);
  CHECK(f.app.sidecar.published().size() == 1);
}

TEST_CASE("a failed publish is RETRY and the redelivery publishes the same trigger once") {
  Fixture f;
  f.app.sidecar.fail_next(SidecarCallKind::publish, tew::Error::unavailable("publish", "down"));
  const auto first = f.app.deliver(completed("e-1"));
  CHECK(first.status == Status::retry);
  CHECK(first.reason.find("pending trigger") != std::string::npos);
  CHECK(f.app.sidecar.published().empty());
  CHECK(f.series().contains("pending_trigger"));  // the outbox keeps it

  CHECK(f.app.deliver(completed("e-1")).status == Status::success);
  const auto published = f.app.sidecar.published();
  REQUIRE(published.size() == 1);
  CHECK(published[0].event.id == trigger_event_id("t-1", kNext));
  CHECK_FALSE(f.series().contains("pending_trigger"));
}

TEST_CASE("a pending trigger is published by the next event of the series, whatever it is") {
  Fixture f;
  f.app.sidecar.fail_next(SidecarCallKind::publish, tew::Error::unavailable("publish", "down"));
  f.app.deliver(completed("e-1"));
  auto renamed = root();
  renamed["title"] = "Water the roses";
  CHECK(f.app.deliver(delivery("e-2", "task.updated", renamed, "2026-03-04T08:00:00Z")).status ==
        Status::success);
  CHECK(f.app.sidecar.published().size() == 1);
}

TEST_CASE("a series write whose answer was lost is found on reading again: one trigger") {
  Fixture f;
  f.app.sidecar.lose_next_answers(SidecarCallKind::save_state,
                                  tew::Error::unavailable("state", "timeout"));
  CHECK(f.app.deliver(completed("e-1")).status == Status::success);
  CHECK(f.app.sidecar.published().size() == 1);
  CHECK_FALSE(f.series().contains("pending_trigger"));
}

TEST_CASE("two replicas racing on two completions of the same occurrence spawn once") {
  Fixture f;
  Replica other{f.state, f.clock};
  bool raced = false;
  // Between this replica's read and its first write, the other replica handles a second
  // completion of the same task (completed, reopened and completed again) to the end.
  f.app.sidecar.on_call([&](const tew::testing::SidecarCall& call) {
    if (raced || call.kind != SidecarCallKind::save_state) return;
    raced = true;
    CHECK(other.deliver(completed("e-9", "2026-03-04T09:00:00Z")).status == Status::success);
  });
  CHECK(f.app.deliver(completed("e-1")).status == Status::success);
  CHECK(raced);
  CHECK(other.sidecar.published().size() == 1);
  CHECK(f.app.sidecar.published().empty());
  CHECK(f.series().at("current").at("index") == 2);
}

TEST_CASE("a series that keeps changing under the handler is RETRY after bounded rounds") {
  Fixture f;
  f.app.deliver(delivery("e-0", "task.created", root(), "2026-03-02T09:00:00Z"));
  int bumps = 0;
  f.app.sidecar.on_call([&](const tew::testing::SidecarCall& call) {
    if (call.kind != SidecarCallKind::save_state) return;
    // A competing writer that always wins: it rewrites the record under its ETag.
    const auto item = f.state.get("series|t-1").value();
    tew::StateWrite w{"series|t-1",
                      *item.value,
                      item.etag,
                      tew::Concurrency::first_write,
                      tew::Consistency::strong,
                      std::nullopt};
    REQUIRE(f.state.save(w).has_value());
    ++bumps;
  });
  const auto out = f.app.deliver(completed("e-1"));
  CHECK(out.status == Status::retry);
  CHECK(out.reason.find("not settled") != std::string::npos);
  CHECK(bumps == kMaxSeriesRounds);
  CHECK(f.app.sidecar.published().empty());
}

TEST_CASE("a state store that does not answer is RETRY") {
  for (const auto kind : {SidecarCallKind::get_state_bulk, SidecarCallKind::get_state}) {
    CAPTURE(static_cast<int>(kind));
    Fixture f;
    // The first read: the series and its link in bulk; a spawned task's series by its id.
    auto event = completed("e-1");
    if (kind == SidecarCallKind::get_state) (*event.data)["task_data"]["series_id"] = "t-0";
    f.app.sidecar.fail_next(kind, tew::Error::unavailable("state", "down"));
    const auto out = f.app.deliver(event);
    CHECK(out.status == Status::retry);
    CHECK(out.reason.find("series store") != std::string::npos);
    CHECK(f.app.sidecar.published().empty());
  }
}

TEST_CASE("an unreadable series record is RETRY naming it, and is not overwritten") {
  Fixture f;
  REQUIRE(f.state
              .save({"series|t-1", json{{"garbage", true}}, std::nullopt,
                     tew::Concurrency::first_write, tew::Consistency::strong, std::nullopt})
              .has_value());
  const auto out = f.app.deliver(completed("e-1"));
  CHECK(out.status == Status::retry);
  CHECK(out.reason.find("unreadable series record") != std::string::npos);
  CHECK(f.series() == json{{"garbage", true}});
}

TEST_CASE("deleting a spawned task by its id alone deletes the series it was linked to") {
  Fixture f;
  f.app.deliver(completed("e-1"));
  const auto spawned = spawned_task_id("t-1", kNext);
  CHECK(
      f.app.deliver(delivery("e-2", "task.deleted", json{{"id", spawned}}, "2026-03-05T08:00:00Z"))
          .status == Status::success);
  CHECK(f.series().at("state") == "deleted");
}

TEST_CASE("ignored types and tasks that cannot concern a series touch no state") {
  Fixture f;
  auto trigger = delivery("e-1", "recurring.trigger", root(), "2026-03-03T20:00:00Z");
  const auto out = f.app.deliver(trigger);
  CHECK(out.status == Status::success);
  CHECK(out.reason == "ignored: recurring.trigger");
  const auto plain =
      delivery("e-2", "task.created", recurring_task("t-2", "2026-03-03T17:00:00Z", ""),
               "2026-03-02T09:00:00Z");
  CHECK(f.app.deliver(plain).status == Status::success);
  CHECK(f.app.sidecar.calls().empty());
}
