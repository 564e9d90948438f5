// SidecarDedupStore beyond the shared contract (dedup_store_test.cpp): what it writes to the
// state store, lost answers, failures, corrupted records, and two replicas racing on one store.
#include "tew/sidecar_dedup_store.hpp"

#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "run_awaitable.hpp"

using namespace std::chrono_literals;
using tew::Claim;
using tew::ClaimState;
using tew::Concurrency;
using tew::DedupKey;
using tew::ErrorKind;
using tew::testing::FakeClock;
using tew::testing::FakeSidecar;
using tew::testing::FakeStateStore;
using tew::testing::run_awaitable;
using tew::testing::SidecarCall;
using tew::testing::SidecarCallKind;

namespace {

const tew::DedupPolicy kPolicy{30s, 1h};
const tew::Timestamp kStart{std::chrono::seconds{1'767'225'600}};  // 2026-01-01T00:00:00Z
const DedupKey kKey{"app/orders", "https://example.com/orders", "evt-1"};
const std::string kStateKey = "dedup|" + kKey.str();

// One replica of an app: its own sidecar, the state store shared with the other replicas.
struct Replica {
  explicit Replica(FakeStateStore& state, const tew::Clock& clock)
      : sidecar(state), store(sidecar, clock, "statestore", kPolicy) {}
  FakeSidecar sidecar;
  tew::SidecarDedupStore store;
};

struct Fixture {
  FakeClock clock{kStart};
  FakeStateStore state{clock};
  Replica a{state, clock};
  Replica b{state, clock};
};

tew::Result<Claim> claim(Replica& r) {
  return run_awaitable(r.store.claim(kKey));
}

Claim acquired(Replica& r) {
  auto c = claim(r);
  REQUIRE(c.has_value());
  REQUIRE(c->state == ClaimState::acquired);
  return *c;
}

ClaimState state_of(Replica& r) {
  auto c = claim(r);
  REQUIRE(c.has_value());
  return c->state;
}

tew::Error store_down() {
  return tew::Error{ErrorKind::unavailable, "sidecar", "timeout", 0, {}};
}

// Runs `action` once, before the `nth` call of `kind` on `r`'s sidecar (counting from 1).
void before_call(Replica& r, SidecarCallKind kind, int nth, std::function<void()> action) {
  auto seen = std::make_shared<int>(0);
  r.sidecar.on_call([kind, nth, seen, action = std::move(action)](const SidecarCall& call) {
    if (call.kind == kind && ++*seen == nth) action();
  });
}

}  // namespace

TEST_CASE("the claim record is inserted with first-write, a TTL of two leases, under dedup|key") {
  Fixture f;
  acquired(f.a);
  const auto writes = f.a.sidecar.state_writes();
  REQUIRE(writes.size() == 1);
  CHECK(writes[0].key == kStateKey);
  CHECK(writes[0].concurrency == Concurrency::first_write);
  CHECK_FALSE(writes[0].etag);
  CHECK(writes[0].ttl == 2 * kPolicy.lease);
  CHECK(writes[0].value["state"] == "claimed");
  CHECK(writes[0].value["lease_until"] == "2026-01-01T00:00:30Z");
}

TEST_CASE("every write of the record is first-write, with an etag once it exists") {
  Fixture f;
  run_awaitable(f.a.store.complete(kKey, acquired(f.a))).value();  // insert, complete
  const DedupKey other{"app/orders", "src", "evt-2"};
  auto released = run_awaitable(f.a.store.claim(other)).value();
  run_awaitable(f.a.store.release(other, released)).value();  // insert, delete
  const auto stale = run_awaitable(f.a.store.claim(other)).value();
  f.clock.advance(kPolicy.lease);
  const auto taken = run_awaitable(f.b.store.claim(other)).value();  // takeover
  REQUIRE(stale.state == ClaimState::acquired);
  REQUIRE(taken.state == ClaimState::acquired);
  run_awaitable(f.b.store.complete(other, taken)).value();

  std::vector<tew::StateWrite> writes = f.a.sidecar.state_writes();
  for (const auto& w : f.b.sidecar.state_writes())
    writes.push_back(w);
  CHECK(writes.size() == 7);
  for (const auto& w : writes) {
    CHECK(w.concurrency == Concurrency::first_write);
    if (w.value["state"] == "done") {
      CHECK(w.etag);
      CHECK(w.ttl == kPolicy.done_ttl);
    }
  }
  const auto deletes = f.a.sidecar.state_deletes();
  REQUIRE(deletes.size() == 1);
  CHECK(deletes[0].concurrency == Concurrency::first_write);
  CHECK(deletes[0].etag == "1");
  CHECK(f.state.peek(kStateKey)->first_write);
  CHECK(f.state.peek("dedup|" + other.str())->first_write);
}

TEST_CASE("our insert landed but its answer was lost: the claim is still ours") {
  Fixture f;
  f.a.sidecar.lose_next_answers(SidecarCallKind::save_state, store_down());
  const auto c = acquired(f.a);
  CHECK(c.etag == "1");
  CHECK(state_of(f.b) == ClaimState::in_flight);
  REQUIRE(run_awaitable(f.a.store.complete(kKey, c)).has_value());
  CHECK(state_of(f.b) == ClaimState::already_done);
}

TEST_CASE("two replicas claiming one event at once: exactly one acquires it") {
  Fixture f;
  std::optional<Claim> b_claim;
  before_call(f.a, SidecarCallKind::save_state, 1, [&] { b_claim = claim(f.b).value(); });
  const auto a_claim = claim(f.a).value();
  REQUIRE(b_claim);
  CHECK(b_claim->state == ClaimState::acquired);
  CHECK(a_claim.state == ClaimState::in_flight);
}

TEST_CASE("two replicas taking over one expired claim: exactly one wins") {
  Fixture f;
  FakeSidecar crashed_sidecar{f.state};
  tew::SidecarDedupStore crashed{crashed_sidecar, f.clock, "statestore", kPolicy};
  REQUIRE(run_awaitable(crashed.claim(kKey)).value().state == ClaimState::acquired);
  f.clock.advance(kPolicy.lease + 1s);

  // b takes over between a's read of the expired claim and a's takeover write.
  std::optional<Claim> b_claim;
  before_call(f.a, SidecarCallKind::save_state, 2, [&] { b_claim = claim(f.b).value(); });
  const auto a_claim = claim(f.a).value();
  REQUIRE(b_claim);
  CHECK(b_claim->state == ClaimState::acquired);
  CHECK(a_claim.state == ClaimState::in_flight);
  REQUIRE(run_awaitable(f.b.store.complete(kKey, *b_claim)).has_value());
  CHECK(state_of(f.a) == ClaimState::already_done);
}

TEST_CASE("a sidecar that is down: the claim fails as unavailable and nothing is written") {
  Fixture f;
  f.a.sidecar.fail_next(SidecarCallKind::save_state, store_down());
  f.a.sidecar.fail_next(SidecarCallKind::get_state, store_down());
  const auto c = claim(f.a);
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().kind == ErrorKind::unavailable);
  CHECK(c.error().subject == "dedup");
  CHECK(f.state.size() == 0);
  CHECK(state_of(f.a) == ClaimState::acquired);
}

TEST_CASE("a failed insert that left no record is reported with the insert's error") {
  Fixture f;
  f.a.sidecar.fail_next(SidecarCallKind::save_state, store_down());
  const auto c = claim(f.a);
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().kind == ErrorKind::unavailable);
  CHECK(c.error().message == "claim insert failed: sidecar: timeout");
}

TEST_CASE("complete and release that cannot reach the store fail and change nothing") {
  Fixture f;
  const auto c = acquired(f.a);
  f.a.sidecar.fail_next(SidecarCallKind::save_state, store_down());
  CHECK(run_awaitable(f.a.store.complete(kKey, c)).error().kind == ErrorKind::unavailable);
  f.a.sidecar.fail_next(SidecarCallKind::delete_state, store_down());
  CHECK(run_awaitable(f.a.store.release(kKey, c)).error().kind == ErrorKind::unavailable);
  f.a.sidecar.fail_next(SidecarCallKind::get_state, store_down());
  CHECK(run_awaitable(f.a.store.release(kKey, c)).error().kind == ErrorKind::unavailable);
  CHECK(f.state.peek(kStateKey)->version == 1);
  CHECK(state_of(f.b) == ClaimState::in_flight);
}

TEST_CASE("an owner that was taken over cannot complete: its etag-guarded write conflicts") {
  Fixture f;
  const auto stale = acquired(f.a);
  f.clock.advance(kPolicy.lease);
  const auto fresh = acquired(f.b);
  const auto r = run_awaitable(f.a.store.complete(kKey, stale));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::conflict);
  CHECK(r.error().subject == "dedup");
  CHECK(run_awaitable(f.b.store.complete(kKey, fresh)).has_value());
}

TEST_CASE("a corrupted record is an error and is left as it is") {
  const std::vector<nlohmann::json> corrupted{
      "not an object",
      {{"owner", "x"}},
      {{"state", "paused"}, {"owner", "x"}},
      {{"state", "claimed"}, {"owner", "x"}},
      {{"state", "claimed"}, {"owner", "x"}, {"lease_until", "yesterday"}},
      {{"state", "done"}, {"owner", 7}},
  };
  for (const auto& value : corrupted) {
    CAPTURE(value.dump());
    Fixture f;
    tew::StateWrite w;
    w.key = kStateKey;
    w.value = value;
    w.concurrency = Concurrency::first_write;
    REQUIRE(f.state.save(w).has_value());

    const auto c = claim(f.a);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().kind == ErrorKind::unavailable);
    const auto entry = f.state.peek(kStateKey);
    CHECK(entry->value == value);
    CHECK(entry->version == 1);
    const Claim forged{ClaimState::acquired, "x", ""};
    CHECK_FALSE(run_awaitable(f.a.store.release(kKey, forged)).has_value());
    CHECK(f.state.peek(kStateKey)->version == 1);
  }
}

TEST_CASE("a stalled owner's release does not delete the claim of whoever came after") {
  // Its record expired and was inserted anew: same key, same version "1", another owner.
  Fixture f;
  const auto stalled = acquired(f.a);
  f.clock.advance(kPolicy.lease * 2);
  const auto next = acquired(f.b);
  REQUIRE(next.etag == stalled.etag);
  CHECK_FALSE(run_awaitable(f.a.store.release(kKey, stalled)).has_value());
  CHECK(state_of(f.a) == ClaimState::in_flight);
}
