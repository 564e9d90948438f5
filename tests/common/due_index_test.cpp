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

// The state calls `r` made since its last clear_recorded(), as "kind key" lines.
std::vector<std::string> calls_made(const Replica& r) {
  std::vector<std::string> out;
  for (const auto& call : r.sidecar.calls()) {
    std::string line = call.kind == SidecarCallKind::get_state        ? "get"
                       : call.kind == SidecarCallKind::get_state_bulk ? "bulk get"
                       : call.kind == SidecarCallKind::save_state     ? "save"
                                                                      : "other";
    for (const auto& key : call.keys)
      line += " " + key;
    out.push_back(line);
  }
  return out;
}

TEST_CASE("a listing in a bucket ending later than clock_skew from now costs three state calls") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());  // reads and creates the cursor
  f.a.sidecar.clear_recorded();
  REQUIRE(f.a.schedule("t2", f.at(150s)).has_value());
  // The record and the bucket of the expected due time in one read; no cursor read after the
  // append: no tick can seal 00:02 (it ends at 00:03) before now + clock_skew (00:00:30).
  CHECK(calls_made(f.a) ==
        std::vector<std::string>{"bulk get app|test|record|t2 app|test|bucket|2026-01-01T00:02:00Z",
                                 "save app|test|record|t2",
                                 "save app|test|bucket|2026-01-01T00:02:00Z"});
  CHECK(stored(f, "app|test|bucket|2026-01-01T00:02:00Z")["entries"].size() == 1);
  f.a.sidecar.clear_recorded();
  // Delivered again: one read, nothing to write.
  REQUIRE(f.a.schedule("t2", f.at(150s)).has_value());
  CHECK(calls_made(f.a) == std::vector<std::string>{
                               "bulk get app|test|record|t2 app|test|bucket|2026-01-01T00:02:00Z"});
  f.set(150s);
  CHECK(f.a.tick().fired == 2);
}

TEST_CASE("a listing in a bucket ending within clock_skew of now reads the cursor after it") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  f.set(140s);  // 00:02 ends at 00:03, 40 s from now: within a 60 s clock_skew
  auto wide = default_options();
  wide.clock_skew = 60s;
  Replica skewed(f.state, f.clock, wide);
  REQUIRE(skewed.schedule("t0", f.at(3600s)).has_value());  // learns the cursor
  skewed.sidecar.clear_recorded();
  REQUIRE(skewed.schedule("t2", f.at(150s)).has_value());
  CHECK(calls_made(skewed) ==
        std::vector<std::string>{"bulk get app|test|record|t2 app|test|bucket|2026-01-01T00:02:00Z",
                                 "save app|test|record|t2",
                                 "save app|test|bucket|2026-01-01T00:02:00Z",
                                 "get app|test|cursor"});
  // With the default 30 s the same listing skips that read.
  f.a.sidecar.clear_recorded();
  REQUIRE(f.a.schedule("t3", f.at(150s)).has_value());
  CHECK(calls_made(f.a).size() == 3);
}

TEST_CASE("a bucket read with the record and sealed before the append is not appended to") {
  Fixture f;
  REQUIRE(f.a.schedule("first", f.at(30s)).has_value());
  f.set(20s);
  // a reads "racer"'s record with bucket 00:00 (not ended). Before a writes the record, time
  // passes and b's tick seals 00:00, fires "first", moves the cursor and deletes the bucket.
  before_call(f.a, SidecarCallKind::save_state, 1, [&] {
    f.set(70s);
    CHECK(f.b.tick().fired == 1);
  });
  REQUIRE(f.a.schedule("racer", f.at(40s)).has_value());
  CHECK_FALSE(f.state.peek("app|test|bucket|2026-01-01T00:00:00Z").has_value());
  CHECK(stored(f, "app|test|bucket|2026-01-01T00:01:00Z")["entries"].size() == 1);
  CHECK(f.a.tick().fired == 1);
  CHECK(ids(f.b.fired) == std::vector<std::string>{"first"});
  CHECK(ids(f.a.fired) == std::vector<std::string>{"racer"});
}

TEST_CASE("a due time other than the expected one is listed where it belongs") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  // Expected 00:02, decided 00:06 (the stored record said otherwise): that bucket is read.
  const auto r = f.a.update(
      "t2",
      [&](const std::optional<DueRecord>&) {
        DueRecord next;
        next.due = f.at(400s);
        return std::optional<DueRecord>(next);
      },
      f.at(150s));
  REQUIRE(r.has_value());
  CHECK_FALSE(f.state.peek("app|test|bucket|2026-01-01T00:02:00Z").has_value());
  CHECK(stored(f, "app|test|bucket|2026-01-01T00:06:00Z")["entries"].size() == 1);
  f.set(400s);
  CHECK(f.a.tick().fired == 2);
}

TEST_CASE("an unreadable bucket read with the record does not stop an update elsewhere") {
  Fixture f;
  REQUIRE(f.a.schedule("t1", f.at(90s)).has_value());
  tew::StateWrite junk{"app|test|bucket|2026-01-01T00:02:00Z",
                       json{{"entries", 7}},
                       {},
                       Concurrency::first_write,
                       {},
                       {}};
  REQUIRE(f.state.save(junk).has_value());
  const auto cancelled = f.a.update(
      "t2",
      [](const std::optional<DueRecord>&) {
        DueRecord next;
        next.state = DueState::cancelled;
        return std::optional<DueRecord>(next);
      },
      f.at(150s));
  REQUIRE(cancelled.has_value());
  // Listing in it is still refused, naming the bucket, and the junk is kept.
  const auto listed = f.a.schedule("t3", f.at(150s));
  REQUIRE_FALSE(listed.has_value());
  CHECK(listed.error().message.find("bucket|2026-01-01T00:02:00Z") != std::string::npos);
  CHECK(stored(f, "app|test|bucket|2026-01-01T00:02:00Z") == json{{"entries", 7}});
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
