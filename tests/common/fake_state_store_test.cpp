// The model of daprd's state API on Redis that the fakes share: if it is wrong, every test
// built on it is wrong, so its rules are pinned here one by one.
#include "fake_state_store.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "fake_clock.hpp"

using namespace std::chrono_literals;
using tew::Concurrency;
using tew::ErrorKind;
using tew::StateDelete;
using tew::StateOperation;
using tew::StateWrite;
using tew::testing::FakeClock;
using tew::testing::FakeStateStore;

namespace {

const tew::Timestamp kStart{std::chrono::seconds{1'767'225'600}};  // 2026-01-01T00:00:00Z

StateWrite write(std::string key, nlohmann::json value, std::optional<std::string> etag,
                 Concurrency concurrency) {
  StateWrite w;
  w.key = std::move(key);
  w.value = std::move(value);
  w.etag = std::move(etag);
  w.concurrency = concurrency;
  return w;
}

StateWrite last_write(std::string key, nlohmann::json value) {
  return write(std::move(key), std::move(value), std::nullopt, Concurrency::last_write);
}

StateWrite first_write(std::string key, nlohmann::json value,
                       std::optional<std::string> etag = std::nullopt) {
  return write(std::move(key), std::move(value), std::move(etag), Concurrency::first_write);
}

StateWrite with_etag(std::string key, nlohmann::json value, std::string etag) {
  return write(std::move(key), std::move(value), std::move(etag), Concurrency::last_write);
}

}  // namespace

TEST_CASE("an absent key reads as no value and no etag") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  const auto item = store.get("k");
  REQUIRE(item.has_value());
  CHECK(item->key == "k");
  CHECK_FALSE(item->value);
  CHECK(item->etag.empty());
}

TEST_CASE("every save increments the version, which is the etag") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(last_write("k", 1)).has_value());
  CHECK(store.get("k")->etag == "1");
  REQUIRE(store.save(last_write("k", 2)).has_value());
  const auto item = store.get("k");
  CHECK(item->etag == "2");
  CHECK(*item->value == 2);
}

TEST_CASE("first-write without etag inserts an absent key and marks it") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a")).has_value());
  const auto entry = store.peek("k");
  REQUIRE(entry);
  CHECK(entry->first_write);
  CHECK(entry->version == 1);
}

TEST_CASE("a second first-write insert is rejected as daprd reports it: 500 ERR_STATE_SAVE") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a")).has_value());
  const auto second = store.save(first_write("k", "b"));
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().kind == ErrorKind::unavailable);
  CHECK(second.error().http_status == 500);
  CHECK(second.error().code == "ERR_STATE_SAVE");
  CHECK(second.error().message == "failed to set key k");
  CHECK(*store.get("k")->value == "a");
}

TEST_CASE("a first-write insert overwrites a key written without first-write") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(last_write("k", "plain")).has_value());
  REQUIRE(store.save(first_write("k", "claimed")).has_value());
  const auto entry = store.peek("k");
  CHECK(entry->value == "claimed");
  CHECK(entry->first_write);
  CHECK(entry->version == 2);
}

TEST_CASE("a last-write save without etag overwrites a first-write key and clears the marker") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a")).has_value());
  REQUIRE(store.save(last_write("k", "b")).has_value());
  CHECK_FALSE(store.peek("k")->first_write);
  CHECK(store.save(first_write("k", "c")).has_value());
}

TEST_CASE("a save with the current etag succeeds, also over a first-write key") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a")).has_value());
  REQUIRE(store.save(first_write("k", "b", "1")).has_value());
  CHECK(store.get("k")->etag == "2");
  REQUIRE(store.save(with_etag("k", "c", "2")).has_value());
  CHECK(*store.get("k")->value == "c");
}

TEST_CASE("an etag mismatch is a 409 conflict and changes nothing") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a")).has_value());
  for (const auto& write : {first_write("k", "b", "7"), with_etag("k", "b", "7")}) {
    const auto r = store.save(write);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::conflict);
    CHECK(r.error().http_status == 409);
    CHECK(r.error().code == "ERR_STATE_SAVE");
  }
  CHECK(store.peek("k")->version == 1);
  CHECK(store.peek("k")->value == "a");
}

TEST_CASE("an etag given for an absent key is a 409 conflict") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  const auto r = store.save(first_write("k", "a", "1"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::conflict);
  CHECK(r.error().http_status == 409);
  CHECK(store.size() == 0);
}

TEST_CASE("an empty etag counts as none") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a", "")).has_value());
  CHECK(store.save(first_write("k", "b", "")).error().http_status == 500);
}

TEST_CASE("an etag that is not a version number is rejected with 400") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(last_write("k", "a")).has_value());
  const auto r = store.save(with_etag("k", "b", "W/\"1\""));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::rejected);
  CHECK(r.error().http_status == 400);
}

TEST_CASE("delete without etag removes the key, a deleted key starts again at version 1") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a")).has_value());
  REQUIRE(store.save(first_write("k", "b", "1")).has_value());
  REQUIRE(store.remove(StateDelete{"k", std::nullopt}).has_value());
  CHECK_FALSE(store.get("k")->value);
  REQUIRE(store.save(first_write("k", "c")).has_value());
  CHECK(store.get("k")->etag == "1");
}

TEST_CASE("delete with a wrong etag is a 409 ERR_STATE_DELETE and keeps the key") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a")).has_value());
  const auto r = store.remove(StateDelete{"k", "2", Concurrency::first_write});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::conflict);
  CHECK(r.error().http_status == 409);
  CHECK(r.error().code == "ERR_STATE_DELETE");
  CHECK(store.get("k")->value);
  CHECK(store.remove(StateDelete{"k", "1", Concurrency::first_write}).has_value());
  CHECK_FALSE(store.get("k")->value);
}

TEST_CASE("delete of an absent key succeeds, with or without etag") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  CHECK(store.remove(StateDelete{"k", std::nullopt}).has_value());
  CHECK(store.remove(StateDelete{"k", "3"}).has_value());
}

TEST_CASE("a key expires when the clock passes its ttl") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  auto write = first_write("k", "a");
  write.ttl = 30s;
  REQUIRE(store.save(write).has_value());
  clock.advance(29s);
  CHECK(store.get("k")->value);
  clock.advance(1s);
  CHECK_FALSE(store.get("k")->value);
  CHECK(store.size() == 0);
  CHECK(store.save(first_write("k", "b")).has_value());
}

TEST_CASE("a save without ttl keeps the expiry, a ttl of zero or less removes it") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  auto write = last_write("k", "a");
  write.ttl = 30s;
  REQUIRE(store.save(write).has_value());
  REQUIRE(store.save(last_write("k", "b")).has_value());
  CHECK(store.peek("k")->expires == kStart + 30s);

  write.ttl = 0s;
  REQUIRE(store.save(write).has_value());
  CHECK_FALSE(store.peek("k")->expires);
  clock.advance(1h);
  CHECK(store.get("k")->value);
}

TEST_CASE("a transaction applies its operations in order and stops at the first failure") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(last_write("b", "old")).has_value());
  const std::vector<StateOperation> ops{last_write("a", 1), StateDelete{"b", std::nullopt},
                                        with_etag("c", 3, "9"), last_write("d", 4)};
  const auto r = store.transact(ops);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::conflict);
  CHECK(store.get("a")->value);
  CHECK_FALSE(store.get("b")->value);
  CHECK_FALSE(store.get("d")->value);
}

TEST_CASE("a transaction does not honour first-write") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  REQUIRE(store.save(first_write("k", "a")).has_value());
  REQUIRE(store.transact({first_write("k", "b")}).has_value());
  CHECK(store.peek("k")->value == "b");
  CHECK_FALSE(store.peek("k")->first_write);
}

TEST_CASE("concurrent first-write inserts of one key: exactly one succeeds") {
  FakeClock clock{kStart};
  FakeStateStore store{clock};
  std::atomic<int> inserted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        if (store.save(first_write("k" + std::to_string(i), t)).has_value()) ++inserted;
    });
  for (auto& t : threads)
    t.join();
  CHECK(inserted == 200);
  CHECK(store.size() == 200);
}
