// The claim / complete / release contract (DESIGN.md §2), run against both stores: whatever
// keeps the records, a handler must see the same answers.
#include "tew/dedup_store.hpp"

#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "run_awaitable.hpp"
#include "tew/memory_dedup_store.hpp"
#include "tew/sidecar_dedup_store.hpp"

using namespace std::chrono_literals;
using tew::Claim;
using tew::ClaimState;
using tew::DedupKey;
using tew::testing::run_awaitable;

namespace {

const tew::DedupPolicy kPolicy{30s, 1h};
const tew::Timestamp kStart{std::chrono::seconds{1'767'225'600}};  // 2026-01-01T00:00:00Z

struct MemoryStore {
  tew::testing::FakeClock clock{kStart};
  tew::MemoryDedupStore store{clock, kPolicy, 1000};
};

struct SidecarStore {
  tew::testing::FakeClock clock{kStart};
  tew::testing::FakeSidecar sidecar{clock};
  tew::SidecarDedupStore store{sidecar, clock, "statestore", kPolicy};
};

const DedupKey kKey{"app/orders", "https://example.com/orders", "evt-1"};

Claim claim(tew::DedupStore& store, const DedupKey& key = kKey) {
  auto result = run_awaitable(store.claim(key));
  REQUIRE(result.has_value());
  return *result;
}

tew::Result<void> complete(tew::DedupStore& store, const Claim& c, const DedupKey& key = kKey) {
  return run_awaitable(store.complete(key, c));
}

tew::Result<void> release(tew::DedupStore& store, const Claim& c, const DedupKey& key = kKey) {
  return run_awaitable(store.release(key, c));
}

}  // namespace

TEST_CASE("DedupKey::str length-prefixes each part") {
  CHECK(DedupKey{"app/route", "src", "id-1"}.str() == "9:app/route|3:src|4:id-1");
  CHECK(DedupKey{"", "", ""}.str() == "0:|0:|0:");
}

TEST_CASE("DedupKey::str is unambiguous when parts contain the separator") {
  CHECK(DedupKey{"a|b", "c", "x"}.str() != DedupKey{"a", "b|c", "x"}.str());
  CHECK(DedupKey{"a", "b|c", "x"}.str() != DedupKey{"a", "b", "c|x"}.str());
  CHECK(DedupKey{"1:a", "b", "x"}.str() != DedupKey{"1", "a|b", "x"}.str());
}

TEST_CASE_TEMPLATE("the first claim of an event is acquired", S, MemoryStore, SidecarStore) {
  S s;
  const auto c = claim(s.store);
  CHECK(c.state == ClaimState::acquired);
  CHECK_FALSE(c.owner.empty());
}

TEST_CASE_TEMPLATE("a duplicate of a completed event is already done", S, MemoryStore,
                   SidecarStore) {
  S s;
  const auto first = claim(s.store);
  REQUIRE(complete(s.store, first).has_value());
  CHECK(claim(s.store).state == ClaimState::already_done);
  s.clock.advance(kPolicy.lease * 3);
  CHECK(claim(s.store).state == ClaimState::already_done);
}

TEST_CASE_TEMPLATE("a duplicate while the event is in flight is in flight", S, MemoryStore,
                   SidecarStore) {
  S s;
  const auto first = claim(s.store);
  s.clock.advance(kPolicy.lease - 1s);
  CHECK(claim(s.store).state == ClaimState::in_flight);
  REQUIRE(complete(s.store, first).has_value());
  CHECK(claim(s.store).state == ClaimState::already_done);
}

TEST_CASE_TEMPLATE("a released event is acquired by its next claim", S, MemoryStore, SidecarStore) {
  S s;
  const auto first = claim(s.store);
  REQUIRE(release(s.store, first).has_value());
  const auto second = claim(s.store);
  CHECK(second.state == ClaimState::acquired);
  CHECK(second.owner != first.owner);
}

TEST_CASE_TEMPLATE("a claim whose lease ran out is taken over, its old owner cannot finish it", S,
                   MemoryStore, SidecarStore) {
  S s;
  const auto first = claim(s.store);
  s.clock.advance(kPolicy.lease);
  const auto second = claim(s.store);
  REQUIRE(second.state == ClaimState::acquired);
  CHECK(second.owner != first.owner);

  CHECK_FALSE(complete(s.store, first).has_value());
  CHECK_FALSE(release(s.store, first).has_value());
  CHECK(claim(s.store).state == ClaimState::in_flight);
  REQUIRE(complete(s.store, second).has_value());
  CHECK(claim(s.store).state == ClaimState::already_done);
}

TEST_CASE_TEMPLATE("an owner whose lease ran out may complete while nobody took over", S,
                   MemoryStore, SidecarStore) {
  S s;
  const auto first = claim(s.store);
  s.clock.advance(kPolicy.lease + 5s);
  REQUIRE(complete(s.store, first).has_value());
  CHECK(claim(s.store).state == ClaimState::already_done);
}

TEST_CASE_TEMPLATE("releasing a claim that is gone succeeds", S, MemoryStore, SidecarStore) {
  S s;
  const auto first = claim(s.store);
  s.clock.advance(kPolicy.lease * 2);
  CHECK(release(s.store, first).has_value());
  CHECK(claim(s.store).state == ClaimState::acquired);
}

TEST_CASE_TEMPLATE("a done record expires after done_ttl and the event runs again", S, MemoryStore,
                   SidecarStore) {
  S s;
  REQUIRE(complete(s.store, claim(s.store)).has_value());
  s.clock.advance(kPolicy.done_ttl - 1s);
  CHECK(claim(s.store).state == ClaimState::already_done);
  s.clock.advance(1s);
  CHECK(claim(s.store).state == ClaimState::acquired);
}

TEST_CASE_TEMPLATE("someone who is not the owner can neither complete nor release", S, MemoryStore,
                   SidecarStore) {
  S s;
  const auto owner = claim(s.store);
  for (const auto& intruder :
       {Claim{ClaimState::acquired, "someone-else", ""}, Claim{ClaimState::acquired, "", ""}}) {
    const auto completed = complete(s.store, intruder);
    REQUIRE_FALSE(completed.has_value());
    CHECK(completed.error().kind == tew::ErrorKind::invalid_input);
    CHECK(completed.error().subject == "dedup");
    const auto released = release(s.store, intruder);
    REQUIRE_FALSE(released.has_value());
    CHECK(released.error().kind == tew::ErrorKind::invalid_input);
  }
  CHECK(claim(s.store).state == ClaimState::in_flight);
  CHECK(complete(s.store, owner).has_value());
}

TEST_CASE_TEMPLATE("an owner cannot release an event it completed", S, MemoryStore, SidecarStore) {
  S s;
  const auto owner = claim(s.store);
  REQUIRE(complete(s.store, owner).has_value());
  CHECK_FALSE(release(s.store, owner).has_value());
  CHECK(claim(s.store).state == ClaimState::already_done);
}

TEST_CASE_TEMPLATE("keys differing only in consumer, source or id are independent", S, MemoryStore,
                   SidecarStore) {
  S s;
  REQUIRE(complete(s.store, claim(s.store)).has_value());
  for (const auto& other : {DedupKey{"app/audit", kKey.source, kKey.id},
                            DedupKey{kKey.consumer, "https://example.com/other", kKey.id},
                            DedupKey{kKey.consumer, kKey.source, "evt-2"}})
    CHECK(claim(s.store, other).state == ClaimState::acquired);
  CHECK(claim(s.store).state == ClaimState::already_done);
}

TEST_CASE_TEMPLATE("parts containing the separator do not make two keys one", S, MemoryStore,
                   SidecarStore) {
  S s;
  const DedupKey left{"a|b", "c", "x"};
  const DedupKey right{"a", "b|c", "x"};
  REQUIRE(complete(s.store, claim(s.store, left), left).has_value());
  CHECK(claim(s.store, right).state == ClaimState::acquired);
}
