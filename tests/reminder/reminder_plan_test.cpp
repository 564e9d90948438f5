// The reminder domain without any I/O: which record a task event leads to, given the stored one.
#include "reminder/reminder_plan.hpp"

#include <doctest/doctest.h>

#include "reminder/reminder_payload.hpp"
#include "task_events.hpp"

using namespace reminder_test;
using namespace std::chrono_literals;
using reminder::plan_reminder;
using tew::DueRecord;
using tew::DueState;

namespace {

constexpr auto kLead = 900s;

std::optional<DueRecord> plan(const TaskEventSpec& spec,
                              const std::optional<DueRecord>& stored = std::nullopt) {
  return plan_reminder(task_event(spec), "00-trace-01", stored, kLead);
}

// The record as the index would store it after `spec`, from nothing.
DueRecord stored_after(const TaskEventSpec& spec) {
  auto record = plan(spec);
  REQUIRE(record.has_value());
  return *record;
}

DueRecord with_state(DueRecord record, DueState state) {
  record.state = state;
  return record;
}

}  // namespace

TEST_SUITE("reminder plan: scheduling") {
  TEST_CASE("a task with remind_at is scheduled at remind_at") {
    const auto r = plan(spec().remind("2026-03-03T16:30:00Z").due("2026-03-03T17:00:00Z"));
    REQUIRE(r.has_value());
    CHECK(r->state == DueState::scheduled);
    CHECK(r->due == at("2026-03-03T16:30:00Z"));
    CHECK(r->id == kTaskId);
    const auto payload = reminder::payload_from_json(r->payload).value();
    CHECK(payload.user_id == kUserId);
    CHECK(payload.task.at("title") == "Buy milk");
    CHECK(payload.revision.version == 1);
    CHECK(payload.event_type == "task.created");
    CHECK(payload.traceparent == "00-trace-01");
  }

  TEST_CASE("without remind_at the reminder is due_date minus the lead time") {
    const auto r = plan(spec().due("2026-03-03T17:00:00Z"));
    CHECK(r->due == at("2026-03-03T16:45:00Z"));
  }

  TEST_CASE("a task with neither time gets a cancelled record, which orders later events") {
    const auto r = plan({});
    REQUIRE(r.has_value());
    CHECK(r->state == DueState::cancelled);
    CHECK_FALSE(r->due.has_value());
  }

  TEST_CASE("an update that moves remind_at reschedules") {
    const auto stored = stored_after(spec().remind("2026-03-03T16:30:00Z"));
    const auto r = plan(spec()
                            .type("task.updated")
                            .remind("2026-03-04T08:00:00Z")
                            .version(2)
                            .stamp("2026-03-02T10:00:00Z"),
                        stored);
    CHECK(r->state == DueState::scheduled);
    CHECK(r->due == at("2026-03-04T08:00:00Z"));
  }

  TEST_CASE("an update that removes every time cancels") {
    const auto stored = stored_after(spec().remind("2026-03-03T16:30:00Z"));
    const auto r = plan(spec().type("task.updated").version(2), stored);
    CHECK(r->state == DueState::cancelled);
    CHECK(r->due == at("2026-03-03T16:30:00Z"));
  }
}

TEST_SUITE("reminder plan: cancelling") {
  TEST_CASE("completion and deletion cancel a scheduled reminder") {
    const auto stored = stored_after(spec().remind("2026-03-03T16:30:00Z"));
    for (const char* type : {"task.completed", "task.deleted"}) {
      CAPTURE(type);
      const auto r = plan(spec().type(type).remind("2026-03-03T16:30:00Z").version(2), stored);
      CHECK(r->state == DueState::cancelled);
    }
  }

  TEST_CASE("an update marking the task complete cancels") {
    const auto stored = stored_after(spec().remind("2026-03-03T16:30:00Z"));
    const auto r = plan(
        spec().type("task.updated").remind("2026-03-03T16:30:00Z").version(2).complete(), stored);
    CHECK(r->state == DueState::cancelled);
  }

  TEST_CASE("completing a task whose reminder fired keeps it recorded as fired") {
    const auto fired =
        with_state(stored_after(spec().remind("2026-03-03T16:30:00Z")), DueState::fired);
    const auto r = plan(spec().type("task.completed").version(2), fired);
    CHECK(r->state == DueState::fired);
    const auto payload = reminder::payload_from_json(r->payload).value();
    CHECK(payload.fired_remind_at == at("2026-03-03T16:30:00Z"));
  }
}

TEST_SUITE("reminder plan: ordering") {
  TEST_CASE("an event older than the stored revision changes nothing") {
    const auto stored = stored_after(spec()
                                         .type("task.updated")
                                         .remind("2026-03-04T08:00:00Z")
                                         .version(3)
                                         .stamp("2026-03-02T11:00:00Z"));
    CHECK_FALSE(plan(spec()
                         .type("task.created")
                         .remind("2026-03-03T16:30:00Z")
                         .version(1)
                         .stamp("2026-03-02T09:00:00Z"),
                     stored)
                    .has_value());
  }

  TEST_CASE("a late deletion older than a re-creation does not cancel it") {
    const auto stored = stored_after(spec().remind("2026-03-04T08:00:00Z").version(5));
    CHECK_FALSE(plan(spec().type("task.deleted").version(4), stored).has_value());
  }

  TEST_CASE(
      "the version decides over timestamps, without versions updated_at, then the event "
      "time") {
    using reminder::compare;
    using reminder::Revision;
    const Revision v2_early{2, at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z")};
    const Revision v1_late{1, at("2026-02-01T00:00:00Z"), at("2026-02-01T00:00:00Z")};
    CHECK(compare(v2_early, v1_late) > 0);
    const Revision u_late{std::nullopt, at("2026-02-01T00:00:00Z"), at("2026-01-01T00:00:00Z")};
    const Revision u_early{std::nullopt, at("2026-01-15T00:00:00Z"), at("2026-03-01T00:00:00Z")};
    CHECK(compare(u_late, u_early) > 0);
    const Revision t_late{std::nullopt, std::nullopt, at("2026-02-01T00:00:00Z")};
    const Revision t_early{std::nullopt, std::nullopt, at("2026-01-01T00:00:00Z")};
    CHECK(compare(t_late, t_early) > 0);
    CHECK(compare(t_early, t_early) == 0);
    // One side without a version: fall back to what both have.
    CHECK(compare(Revision{2, std::nullopt, at("2026-01-01T00:00:00Z")}, t_late) < 0);
  }

  TEST_CASE("a redelivery of the stored event changes nothing") {
    const auto event_spec = spec().remind("2026-03-03T16:30:00Z");
    const auto stored = stored_after(event_spec);
    CHECK_FALSE(plan(event_spec, stored).has_value());
    CHECK_FALSE(plan(event_spec, with_state(stored, DueState::fired)).has_value());
  }

  TEST_CASE("at an equal revision a cancellation applies, a new schedule does not") {
    const auto stored = stored_after(spec().remind("2026-03-03T16:30:00Z"));
    CHECK(plan(spec().type("task.completed").remind("2026-03-03T16:30:00Z"), stored)->state ==
          DueState::cancelled);
    CHECK_FALSE(
        plan(spec().type("task.updated").remind("2026-03-09T09:00:00Z"), stored).has_value());
  }
}

TEST_SUITE("reminder plan: what already happened stays") {
  TEST_CASE("an update of a fired reminder's task that keeps the time does not fire it again") {
    auto fired = with_state(stored_after(spec().remind("2026-03-03T16:30:00Z")), DueState::fired);
    fired.settled_at = at("2026-03-03T16:30:05Z");
    const auto r = plan(
        spec().type("task.updated").remind("2026-03-03T16:30:00Z").version(2).title("Oat milk"),
        fired);
    CHECK(r->state == DueState::fired);
    CHECK(r->settled_at == at("2026-03-03T16:30:05Z"));
    CHECK(reminder::payload_from_json(r->payload)->task.at("title") == "Oat milk");
  }

  TEST_CASE("a missed reminder stays missed when its task is updated with the same time") {
    const auto missed =
        with_state(stored_after(spec().remind("2026-03-03T16:30:00Z")), DueState::missed);
    const auto r =
        plan(spec().type("task.updated").remind("2026-03-03T16:30:00Z").version(2), missed);
    CHECK(r->state == DueState::missed);
  }

  TEST_CASE("completed, then reopened with the same time: the fired reminder is not repeated") {
    const auto fired =
        with_state(stored_after(spec().remind("2026-03-03T16:30:00Z")), DueState::fired);
    const auto completed = plan(spec().type("task.completed").version(2), fired);
    REQUIRE(completed.has_value());
    const auto reopened =
        plan(spec().type("task.updated").remind("2026-03-03T16:30:00Z").version(3), completed);
    CHECK(reopened->state == DueState::fired);
    const auto moved =
        plan(spec().type("task.updated").remind("2026-03-05T09:00:00Z").version(4), reopened);
    CHECK(moved->state == DueState::scheduled);
  }
}
