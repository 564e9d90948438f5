// DueIndex::tick: firing once at the first tick after the due time, rescheduling, lateness and
// missed records, bounds per tick, cost per tick, replicas racing, claims that expire.
#include "due_index_fixture.hpp"

using namespace due_index_test;
using nlohmann::json;

TEST_SUITE("DueIndex tick: firing") {
  TEST_CASE("a record fires at the first tick after its due time, once") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
    CHECK(f.a.tick().fired == 0);
    f.set(89s);
    CHECK(f.a.tick().fired == 0);
    f.set(95s);
    const auto report = f.a.tick();
    CHECK(report.fired == 1);
    CHECK(report.caught_up);
    CHECK_FALSE(report.error.has_value());
    REQUIRE(f.a.fired.size() == 1);
    CHECK(f.a.fired[0].due == f.at(90s));
    CHECK(f.a.fired[0].attempt_time == f.at(95s));
    f.set(200s);
    CHECK(f.a.tick().fired == 0);
    const auto record = f.a.get("t1");
    CHECK(record->state == DueState::fired);
    CHECK(record->settled_at == f.at(95s));
    CHECK_FALSE(record->claim.has_value());
  }

  TEST_CASE("a record due inside the bucket of now fires without waiting for the bucket") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(10s)).has_value());
    REQUIRE(f.a.schedule("t2", f.at(50s)).has_value());
    f.set(15s);
    CHECK(f.a.tick().fired == 1);
    f.set(51s);
    CHECK(f.a.tick().fired == 1);
    CHECK(ids(f.a.fired) == std::vector<std::string>{"t1", "t2"});
  }

  TEST_CASE("rescheduling later moves the firing, the stale entry is skipped") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(120s)).has_value());
    REQUIRE(f.a.schedule("t1", f.at(300s)).has_value());
    f.set(200s);
    CHECK(f.a.tick().fired == 0);
    f.set(300s);
    CHECK(f.a.tick().fired == 1);
    f.set(400s);
    CHECK(f.a.tick().fired == 0);
    REQUIRE(f.a.fired.size() == 1);
    CHECK(f.a.fired[0].due == f.at(300s));
  }

  TEST_CASE("rescheduling earlier fires at the earlier time, once") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(300s)).has_value());
    REQUIRE(f.a.schedule("t1", f.at(120s)).has_value());
    f.set(130s);
    CHECK(f.a.tick().fired == 1);
    f.set(400s);
    CHECK(f.a.tick().fired == 0);
    CHECK(f.a.fired.at(0).due == f.at(120s));
  }

  TEST_CASE("a cancelled record never fires") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
    REQUIRE(f.a.cancel("t1").has_value());
    f.set(120s);
    CHECK(f.a.tick().fired == 0);
    CHECK(f.a.get("t1")->state == DueState::cancelled);
  }

  TEST_CASE("a firing that reschedules its own record keeps the new schedule") {
    Fixture f;
    REQUIRE(f.a.schedule("series", f.at(60s)).has_value());
    f.a.on_fire = [&](const tew::DueFiring& firing) {
      const auto next = *firing.record.due + 3600s;
      REQUIRE(f.b.schedule("series", next).has_value());
      return tew::Result<void>{};
    };
    f.set(60s);
    CHECK(f.a.tick().fired == 1);
    auto record = f.a.get("series");
    CHECK(record->state == DueState::scheduled);
    CHECK(record->due == f.at(3660s));
    f.set(3660s);
    CHECK(f.a.tick().fired == 1);
    CHECK(f.a.fired.at(1).due == f.at(3660s));
  }

  TEST_CASE("a payload change while firing keeps the claim, and the record is marked fired") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(60s), json{{"title", "old"}}).has_value());
    f.a.on_fire = [&](const tew::DueFiring&) {
      REQUIRE(f.b.schedule("t1", f.at(60s), json{{"title", "new"}}).has_value());
      CHECK(f.b.tick().held == 1);  // b sees a's claim and leaves the record alone
      return tew::Result<void>{};
    };
    f.set(60s);
    CHECK(f.a.tick().fired == 1);
    const auto record = f.a.get("t1");
    CHECK(record->state == DueState::fired);
    CHECK(record->payload == json{{"title", "new"}});
    CHECK(f.b.fired.empty());
  }
}

TEST_SUITE("DueIndex tick: lateness") {
  TEST_CASE("after downtime a record within the maximum lateness fires at the next tick") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(60s)).has_value());
    f.set(60s + 1800s);
    CHECK(f.a.tick().fired == 1);
    REQUIRE(f.a.fired.size() == 1);
    CHECK(f.a.fired[0].attempt_time - f.a.fired[0].due == 1800s);
  }

  TEST_CASE("a record later than the maximum lateness is recorded missed, not fired") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(60s)).has_value());
    REQUIRE(f.a.schedule("t2", f.at(3000s)).has_value());
    f.set(60s + 3601s);
    const auto report = f.a.tick();
    CHECK(report.missed == 1);
    CHECK(report.fired == 1);
    CHECK(ids(f.a.fired) == std::vector<std::string>{"t2"});
    const auto record = f.a.get("t1");
    CHECK(record->state == DueState::missed);
    CHECK(record->settled_at == f.at(60s + 3601s));
    f.set(8000s);
    CHECK(f.a.tick().missed == 0);
  }

  TEST_CASE("without a maximum lateness everything fires, however late") {
    auto options = default_options();
    options.max_lateness.reset();
    Fixture f(options);
    REQUIRE(f.a.schedule("t1", f.at(60s)).has_value());
    f.set(86400s * 3);
    auto report = f.a.tick();
    while (!report.caught_up && !report.error)
      report = f.a.tick();
    CHECK(f.a.fired.size() == 1);
  }
}

TEST_SUITE("DueIndex tick: bounds and cost") {
  TEST_CASE("a tick walks at most max_buckets_per_tick closed buckets, the next resumes") {
    auto options = default_options();
    options.max_buckets_per_tick = 5;
    Fixture f(options);
    REQUIRE(f.a.schedule("t1", f.at(600s + 30s)).has_value());
    f.set(1200s);
    auto first = f.a.tick();
    CHECK(first.buckets_passed == 5);
    CHECK_FALSE(first.caught_up);
    CHECK(f.a.tick().buckets_passed == 5);
    CHECK(f.a.fired.empty());
    const auto third = f.a.tick();  // walks 00:10, where t1 is listed
    CHECK(third.fired == 1);
    CHECK(third.buckets_passed == 5);
    CHECK(f.a.tick().buckets_passed == 5);
    CHECK(f.a.tick().caught_up);
  }

  TEST_CASE("max_firings_per_tick bounds the firings, the rest fire at the next ticks") {
    auto options = default_options();
    options.max_firings_per_tick = 2;
    Fixture f(options);
    for (int i = 0; i < 5; ++i)
      REQUIRE(f.a.schedule("t" + std::to_string(i), f.at(90s)).has_value());
    f.set(200s);
    CHECK(f.a.tick().fired == 2);
    CHECK(f.a.tick().fired == 2);
    const auto last = f.a.tick();
    CHECK(last.fired == 1);
    CHECK(last.caught_up);
    CHECK(f.a.fired.size() == 5);
  }

  TEST_CASE("the cost of a tick grows with what is due, not with what is scheduled") {
    const auto calls_of_tick = [](int scheduled) {
      Fixture f;
      for (int i = 0; i < scheduled; ++i)
        REQUIRE(f.a.schedule("later" + std::to_string(i), f.at(86400s + std::chrono::seconds(i)))
                    .has_value());
      REQUIRE(f.a.schedule("due", f.at(90s)).has_value());
      f.set(120s);
      f.a.sidecar.clear_recorded();
      REQUIRE(f.a.tick().fired == 1);
      std::size_t keys_read = 0;
      for (const auto& call : f.a.sidecar.calls())
        if (call.kind == SidecarCallKind::get_state || call.kind == SidecarCallKind::get_state_bulk)
          keys_read += call.keys.size();
      return std::pair{f.a.sidecar.calls().size(), keys_read};
    };
    const auto few = calls_of_tick(3);
    const auto many = calls_of_tick(1000);
    CHECK(few == many);
    CHECK(many.second <= 8);  // cursor, two buckets, the due record (and its re-read)
    CHECK(many.first <= 14);
  }

  TEST_CASE("the records of a bucket are read in bulk, 100 keys per call") {
    Fixture f;
    for (int i = 0; i < 250; ++i)
      REQUIRE(f.a.schedule("t" + std::to_string(i), f.at(90s)).has_value());
    f.set(120s);
    f.a.sidecar.clear_recorded();
    CHECK(f.a.tick().fired == 250);
    CHECK(count_calls(f.a.sidecar, SidecarCallKind::get_state_bulk) == 3);
  }

  TEST_CASE("finished buckets are deleted once the cursor has passed them") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
    f.set(600s);
    CHECK(f.a.tick().buckets_passed == 10);
    CHECK_FALSE(f.state.peek("app|test|bucket|2026-01-01T00:01:00Z").has_value());
    CHECK(f.state.peek("app|test|cursor")->value["next"] == "2026-01-01T00:10:00Z");
    CHECK(f.state.size() == 2);  // the record and the cursor: the bucket of now was only read
  }
}

TEST_SUITE("DueIndex tick: failures") {
  TEST_CASE(
      "a failed firing releases its claim, the next tick fires it with the same attempt time") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(60s)).has_value());
    int calls = 0;
    f.a.on_fire = [&](const tew::DueFiring&) -> tew::Result<void> {
      if (++calls == 1) return tew::Error::unavailable("pubsub", "down");
      return {};
    };
    f.set(70s);
    const auto failed = f.a.tick();
    CHECK(failed.error.has_value());
    CHECK(failed.fired == 0);
    CHECK(f.a.get("t1")->claim->lease_until == f.at(70s));
    f.set(75s);
    CHECK(f.a.tick().fired == 1);
    CHECK(f.a.fired.at(0).attempt_time == f.at(70s));
    CHECK(f.a.get("t1")->state == DueState::fired);
  }

  TEST_CASE("a sidecar failure during a tick leaves the cursor where the unfinished bucket is") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
    f.set(600s);
    f.a.sidecar.fail_next(SidecarCallKind::get_state_bulk, tew::Error::unavailable("s", "down"));
    const auto report = f.a.tick();
    CHECK(report.error.has_value());
    CHECK(report.buckets_passed == 1);
    CHECK(f.state.peek("app|test|cursor")->value["next"] == "2026-01-01T00:01:00Z");
    const auto next = f.a.tick();
    CHECK(next.fired == 1);
    CHECK(next.caught_up);
  }

  TEST_CASE("a claim whose owner died is taken over after its lease, with its attempt time") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(60s)).has_value());
    // a fires, then dies before marking it fired: its claim stays.
    f.a.on_fire = [&](const tew::DueFiring&) {
      f.a.sidecar.fail_next(SidecarCallKind::get_state, tew::Error::unavailable("a", "died"));
      return tew::Result<void>{};
    };
    f.set(60s);
    CHECK(f.a.tick().error.has_value());
    CHECK(f.a.fired.size() == 1);

    f.set(90s);  // within a's lease: b leaves it alone and keeps the bucket unfinished
    const auto held = f.b.tick();
    CHECK(held.held == 1);
    CHECK(held.fired == 0);
    CHECK(f.state.peek("app|test|cursor")->value["next"] == "2026-01-01T00:01:00Z");

    f.set(121s);  // a's lease (60 s from 00:01:00) has run out
    CHECK(f.b.tick().fired == 1);
    REQUIRE(f.b.fired.size() == 1);
    CHECK(f.b.fired[0].attempt_time == f.a.fired[0].attempt_time);
    CHECK(f.a.get("t1")->state == DueState::fired);
  }
}

TEST_SUITE("DueIndex tick: replicas") {
  TEST_CASE("two replicas ticking at once fire each record exactly once") {
    Fixture f;
    for (int i = 0; i < 20; ++i)
      REQUIRE(f.a.schedule("t" + std::to_string(i), f.at(60s + std::chrono::seconds(i * 7)))
                  .has_value());
    // Before every other write a makes, b runs a whole tick: b lands between a's reads and
    // writes, so each wins some races and loses others.
    bool inside = false;
    int writes = 0;
    f.a.sidecar.on_call([&](const SidecarCall& call) {
      if (call.kind != SidecarCallKind::save_state || inside || ++writes % 2 == 0) return;
      inside = true;
      f.b.tick();
      inside = false;
    });
    for (int t = 0; t < 5; ++t) {
      f.set(std::chrono::seconds(60 + t * 40));
      f.a.tick();
      f.b.tick();
    }
    auto all = ids(f.a.fired);
    const auto from_b = ids(f.b.fired);
    all.insert(all.end(), from_b.begin(), from_b.end());
    std::sort(all.begin(), all.end());
    CHECK(all.size() == 20);
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
    CHECK_FALSE(f.a.fired.empty());
    CHECK_FALSE(f.b.fired.empty());
  }

  TEST_CASE("an append racing the seal of its bucket still fires, once") {
    Fixture f;
    REQUIRE(f.a.schedule("first", f.at(30s)).has_value());
    f.set(70s);
    // After a's tick sealed 00:00 and before it reads the records listed there, b schedules
    // a record due in 00:00: the sealed bucket refuses it, it goes to 00:01.
    before_call(f.a, SidecarCallKind::get_state_bulk, 1,
                [&] { REQUIRE(f.b.schedule("racer", f.at(40s)).has_value()); });
    f.a.tick();
    f.a.tick();
    CHECK(ids(f.a.fired) == std::vector<std::string>{"first", "racer"});
  }

  TEST_CASE("an append to a bucket a tick passed and deleted meanwhile is listed again") {
    Fixture f;
    REQUIRE(f.a.schedule("first", f.at(30s)).has_value());
    f.set(130s);
    // b reads the cursor (00:00) to list "racer"; before it reads the bucket, a's tick
    // finishes 00:00 and 00:01, moves the cursor to 00:02 and deletes them.
    before_call(f.b, SidecarCallKind::get_state, 3, [&] { f.a.tick(); });
    REQUIRE(f.b.schedule("racer", f.at(40s)).has_value());
    CHECK(ids(f.a.fired) == std::vector<std::string>{"first"});
    f.a.tick();
    CHECK(ids(f.a.fired) == std::vector<std::string>{"first", "racer"});
  }

  TEST_CASE("a lost cursor is put back where a replica last saw it, and what is listed fires") {
    Fixture f;
    REQUIRE(f.a.schedule("t1", f.at(3600s)).has_value());  // a learns the cursor: 00:00
    f.set(600s);
    CHECK(f.a.tick().buckets_passed == 10);  // and moves it to 00:10
    REQUIRE(f.a.schedule("t2", f.at(1800s)).has_value());
    const tew::StateDelete lost{"app|test|cursor", std::nullopt, tew::Concurrency::last_write};
    REQUIRE(f.state.remove(lost).has_value());
    // A listing in a bucket ending after now + clock_skew does not read the cursor.
    REQUIRE(f.a.schedule("t3", f.at(2400s)).has_value());
    CHECK_FALSE(f.state.peek("app|test|cursor").has_value());
    f.set(3600s);
    // b never read a cursor: it has none to put back, and does not make one up at now.
    CHECK(f.b.tick().fired == 0);
    CHECK_FALSE(f.state.peek("app|test|cursor").has_value());
    const auto report = f.a.tick();
    CHECK_FALSE(report.error.has_value());
    CHECK(report.buckets_passed == 50);  // from 00:10, where a last saw it
    CHECK(ids(f.a.fired) == std::vector<std::string>{"t2", "t3", "t1"});
    CHECK(f.state.peek("app|test|cursor").has_value());
    CHECK(f.b.tick().fired == 0);  // once
  }
}
