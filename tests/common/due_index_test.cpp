// DueIndex::update and get: records, listing in buckets, the cursor, what is written and how.
// The tick is tested in due_index_tick_test.cpp.
#include "tew/due_index.hpp"

#include "due_index_fixture.hpp"

using namespace due_index_test;
using nlohmann::json;
using tew::Concurrency;
using tew::ErrorKind;

namespace {

json stored(Fixture& f, const std::string& key) {
  const auto entry = f.state.peek(key);
  REQUIRE_MESSAGE(entry.has_value(), key);
  return entry->value;
}

}  // namespace

TEST_CASE("scheduling writes the record, lists it in the bucket of its due time, makes a cursor") {
  Fixture f;
  const auto result = f.a.schedule("t1", f.at(90s), json{{"title", "milk"}});
  REQUIRE(result.has_value());
  REQUIRE(result->has_value());
  CHECK((*result)->state == DueState::scheduled);
  CHECK((*result)->due == f.at(90s));

  CHECK(stored(f, "app|test|record|t1") == json{{"id", "t1"},
                                                {"state", "scheduled"},
                                                {"due", "2026-01-01T00:01:30Z"},
                                                {"payload", {{"title", "milk"}}}});
  CHECK(stored(f, "app|test|bucket|2026-01-01T00:01:00Z") ==
        json{{"entries", {{{"id", "t1"}, {"due", "2026-01-01T00:01:30Z"}}}}, {"sealed", false}});
  CHECK(stored(f, "app|test|cursor") ==
        json{{"bucket_seconds", 60}, {"next", "2026-01-01T00:00:00Z"}});
}

TEST_CASE("every write is a first-write save, updates carry the ETag they read") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  REQUIRE(f.a.schedule("t1", f.at(150s)).has_value());
  REQUIRE(f.a.cancel("t1").has_value());
  const auto writes = f.a.sidecar.state_writes();
  REQUIRE(writes.size() >= 5);
  int guarded = 0;
  for (const auto& w : writes) {
    CAPTURE(w.key);
    CHECK(w.concurrency == Concurrency::first_write);
    if (w.etag) ++guarded;
  }
  CHECK(guarded >= 2);  // the record's second and third write
  CHECK(f.a.sidecar.state_deletes().empty());
}

TEST_CASE("a change that returns nothing, or the same record, writes nothing") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  f.a.sidecar.clear_recorded();
  auto kept = f.a.update("t1", [](const std::optional<DueRecord>&) { return std::nullopt; });
  REQUIRE(kept.has_value());
  CHECK((*kept)->due == f.at(90s));
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  CHECK(f.a.sidecar.state_writes().empty());
}

TEST_CASE("an unchanged scheduled record that lost its bucket entry is listed again") {
  Fixture f;
  // The process dies after writing the record, before listing it: here the cursor insert
  // that comes first fails, so the bucket is never written.
  f.a.sidecar.on_call([&](const SidecarCall& call) {
    if (call.kind == SidecarCallKind::get_state && call.keys.at(0) == "app|test|cursor") {
      f.a.sidecar.fail_next(SidecarCallKind::save_state,
                            tew::Error::unavailable("sidecar", "down"));
      f.a.sidecar.on_call(nullptr);
    }
  });
  REQUIRE_FALSE(f.a.schedule("t1", f.at(90s)).has_value());
  CHECK(f.state.peek("app|test|record|t1").has_value());
  CHECK_FALSE(f.state.peek("app|test|bucket|2026-01-01T00:01:00Z").has_value());

  // The redelivery decides "no change" and repairs the listing.
  const auto again = f.a.update("t1", [](const std::optional<DueRecord>&) { return std::nullopt; });
  REQUIRE(again.has_value());
  CHECK(f.state.peek("app|test|bucket|2026-01-01T00:01:00Z").has_value());
  f.set(90s);
  CHECK(f.a.tick().fired == 1);
}

TEST_CASE("a scheduled record without a due time is refused as a bug in the caller") {
  Fixture f;
  const auto r = f.a.update(
      "t1", [](const std::optional<DueRecord>&) { return std::optional<DueRecord>(DueRecord{}); });
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::invalid_input);
  CHECK_FALSE(f.state.peek("app|test|record|t1").has_value());
}

TEST_CASE("an ETag conflict re-reads the record and decides again") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s), json{{"n", 1}}).has_value());
  int decisions = 0;
  // Between a's read and a's write, b writes the record.
  before_call(f.a, SidecarCallKind::save_state, 1, [&] {
    REQUIRE(f.b.schedule("t1", f.at(300s), json{{"n", 2}}).has_value());
  });
  const auto r = f.a.update("t1", [&](const std::optional<DueRecord>& old) {
    ++decisions;
    DueRecord next = *old;
    next.payload["seen"] = old->payload["n"];
    return std::optional<DueRecord>(next);
  });
  REQUIRE(r.has_value());
  CHECK(decisions == 2);
  CHECK((*r)->payload == json{{"n", 2}, {"seen", 2}});
  CHECK((*r)->due == f.at(300s));
}

TEST_CASE("conflicts that never stop give up as a conflict error, bounded") {
  auto options = default_options();
  options.max_conflicts = 3;
  Fixture f(options);
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  int n = 0;
  f.a.sidecar.on_call([&](const SidecarCall& call) {
    if (call.kind == SidecarCallKind::save_state && call.keys.at(0) == "app|test|record|t1")
      REQUIRE(f.b.schedule("t1", f.at(100s + std::chrono::seconds(++n))).has_value());
  });
  const auto r = f.a.schedule("t1", f.at(500s));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::conflict);
  CHECK(n == 4);
}

TEST_CASE("an unreadable record is an error and is never overwritten") {
  Fixture f;
  tew::StateWrite junk{
      "app|test|record|t1", json{{"state", "exploded"}}, {}, Concurrency::first_write, {}, {}};
  REQUIRE(f.state.save(junk).has_value());
  const auto r = f.a.schedule("t1", f.at(90s));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::unavailable);
  CHECK(r.error().message.find("app|test|record|t1") != std::string::npos);
  CHECK(stored(f, "app|test|record|t1") == json{{"state", "exploded"}});
}

TEST_CASE("finished records expire after finished_ttl, scheduling again removes the TTL") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  CHECK_FALSE(f.state.peek("app|test|record|t1")->expires.has_value());
  REQUIRE(f.a.cancel("t1").has_value());
  CHECK(f.state.peek("app|test|record|t1")->expires == f.at(30 * 86400s));
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  CHECK_FALSE(f.state.peek("app|test|record|t1")->expires.has_value());
}

TEST_CASE("a record due before the first unfinished bucket is listed in that bucket") {
  Fixture f;
  REQUIRE(f.a.schedule("other", f.at(3600s)).has_value());  // creates the cursor at 00:00
  f.set(600s);
  CHECK(f.a.tick().buckets_passed == 10);  // the cursor is at 00:10 now
  REQUIRE(f.a.schedule("late", f.at(30s)).has_value());
  CHECK(f.state.peek("app|test|bucket|2026-01-01T00:10:00Z").has_value());
  CHECK_FALSE(f.state.peek("app|test|bucket|2026-01-01T00:00:00Z").has_value());
  CHECK(f.a.tick().fired == 1);
  REQUIRE(f.a.fired.size() == 1);
  CHECK(f.a.fired[0].due == f.at(30s));
}

TEST_CASE("listing in a bucket that has not ended reads the cursor once, after the append") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());  // reads and creates the cursor
  f.a.sidecar.clear_recorded();
  REQUIRE(f.a.schedule("t2", f.at(150s)).has_value());
  std::vector<std::string> order;  // the cursor reads and bucket writes, in turn
  for (const auto& call : f.a.sidecar.calls()) {
    if (call.kind == SidecarCallKind::get_state && call.keys.at(0) == "app|test|cursor")
      order.push_back("read cursor");
    if (call.kind == SidecarCallKind::save_state && call.keys.at(0).starts_with("app|test|bucket"))
      order.push_back("write bucket");
  }
  CHECK(order == std::vector<std::string>{"write bucket", "read cursor"});
  CHECK(stored(f, "app|test|bucket|2026-01-01T00:02:00Z")["entries"].size() == 1);
}

TEST_CASE("a late record is not listed in a bucket another replica's tick passed meanwhile") {
  Fixture f;
  REQUIRE(f.a.schedule("other", f.at(3600s)).has_value());  // a saw the cursor at 00:00
  f.set(600s);
  CHECK(f.b.tick().buckets_passed == 10);  // b moved it to 00:10 and deleted what it passed
  REQUIRE(f.a.schedule("late", f.at(30s)).has_value());
  CHECK_FALSE(f.state.peek("app|test|bucket|2026-01-01T00:00:00Z").has_value());
  CHECK(f.state.peek("app|test|bucket|2026-01-01T00:10:00Z").has_value());
  CHECK(f.a.tick().fired == 1);
}

TEST_CASE("the bucket width is fixed when the index is created, another width reads it") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  auto wide = default_options();
  wide.bucket_width = 300s;
  Replica other(f.state, f.clock, wide);
  REQUIRE(other.schedule("t2", f.at(150s)).has_value());
  CHECK(f.state.peek("app|test|bucket|2026-01-01T00:02:00Z").has_value());
  f.set(150s);
  CHECK(other.tick().fired == 2);
  CHECK(stored(f, "app|test|cursor")["bucket_seconds"] == 60);
}

TEST_CASE("get returns the stored record, or nothing") {
  Fixture f;
  CHECK_FALSE(f.a.get("t1").has_value());
  REQUIRE(f.a.schedule("t1", f.at(90s), json{{"x", 1}}).has_value());
  const auto r = f.a.get("t1");
  REQUIRE(r.has_value());
  CHECK(r->id == "t1");
  CHECK(r->payload == json{{"x", 1}});
}
