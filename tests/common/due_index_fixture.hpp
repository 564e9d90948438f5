// Replicas of a DueIndex on one shared FakeStateStore, a fake clock, and a fire callback that
// records what fired: the fixture of the due index tests.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "run_awaitable.hpp"
#include "tew/due_index.hpp"
#include "tew/rfc3339.hpp"

namespace due_index_test {

using namespace std::chrono_literals;
using tew::DueRecord;
using tew::DueState;
using tew::Timestamp;
using tew::testing::FakeClock;
using tew::testing::FakeSidecar;
using tew::testing::FakeStateStore;
using tew::testing::run_awaitable;
using tew::testing::SidecarCall;
using tew::testing::SidecarCallKind;

inline const Timestamp kStart = tew::parse_rfc3339("2026-01-01T00:00:00Z").value();

inline tew::DueIndexOptions default_options() {
  tew::DueIndexOptions o;
  o.store = "statestore";
  o.key_prefix = "app|test|";
  o.bucket_width = 60s;
  o.claim_lease = 60s;
  o.max_lateness = 1h;
  return o;
}

struct Firing {
  std::string id;
  Timestamp due;
  Timestamp attempt_time;
  Timestamp now;
};

inline std::vector<std::string> ids(const std::vector<Firing>& fired) {
  std::vector<std::string> out;
  for (const auto& f : fired)
    out.push_back(f.id);
  return out;
}

// One replica: its own sidecar and index over the shared store, and what it fired.
struct Replica {
  Replica(FakeStateStore& state, const tew::Clock& clock, tew::DueIndexOptions options)
      : sidecar(state), index(sidecar, clock, std::move(options)) {}

  // Schedules `id` at `due`, telling the index to expect that due time (as the services do).
  tew::Result<std::optional<DueRecord>> schedule(
      const std::string& id, Timestamp due, nlohmann::json payload = nlohmann::json::object()) {
    return update(
        id,
        [due, payload](const std::optional<DueRecord>&) {
          DueRecord r;
          r.state = DueState::scheduled;
          r.due = due;
          r.payload = payload;
          return std::optional<DueRecord>(r);
        },
        due);
  }
  tew::Result<std::optional<DueRecord>> cancel(const std::string& id) {
    return update(id, [](const std::optional<DueRecord>& old) {
      DueRecord r = old.value_or(DueRecord{});
      r.state = DueState::cancelled;
      return std::optional<DueRecord>(r);
    });
  }
  tew::Result<std::optional<DueRecord>> update(const std::string& id, tew::DueIndex::Change change,
                                               std::optional<Timestamp> expected_due = {}) {
    return run_awaitable(index.update(id, change, expected_due));
  }
  std::optional<DueRecord> get(const std::string& id) {
    auto r = run_awaitable(index.get(id));
    REQUIRE(r.has_value());
    return *r;
  }

  // The fire callback of every tick; by default it succeeds.
  std::function<tew::Result<void>(const tew::DueFiring&)> on_fire = [](const tew::DueFiring&) {
    return tew::Result<void>{};
  };
  tew::TickReport tick() {
    return run_awaitable(
        index.tick([this](const tew::DueFiring& f) -> tew::asio::awaitable<tew::Result<void>> {
          auto result = on_fire(f);
          if (result) fired.push_back({f.record.id, *f.record.due, f.attempt_time, f.now});
          co_return result;
        }));
  }

  FakeSidecar sidecar;
  tew::DueIndex index;
  std::vector<Firing> fired;
};

struct Fixture {
  explicit Fixture(tew::DueIndexOptions options = default_options())
      : a(state, clock, options), b(state, clock, options) {}

  Timestamp at(std::chrono::seconds offset) const { return kStart + offset; }
  void set(std::chrono::seconds offset) { clock.set(kStart + offset); }

  FakeClock clock{kStart};
  FakeStateStore state{clock};
  Replica a;
  Replica b;
};

// Runs `action` once, before the `nth` call of `kind` on `r`'s sidecar (counting from 1).
inline void before_call(Replica& r, SidecarCallKind kind, int nth, std::function<void()> action) {
  auto seen = std::make_shared<int>(0);
  r.sidecar.on_call([kind, nth, seen, action = std::move(action)](const SidecarCall& call) {
    if (call.kind == kind && ++*seen == nth) action();
  });
}

inline std::size_t count_calls(const FakeSidecar& sidecar, SidecarCallKind kind) {
  std::size_t n = 0;
  for (const auto& call : sidecar.calls())
    if (call.kind == kind) ++n;
  return n;
}

}  // namespace due_index_test
