// A clock tests move by hand: time rules are tested by advancing it, never by sleeping.
#pragma once

#include <atomic>

#include "tew/clock.hpp"
#include "tew/rfc3339.hpp"

namespace tew::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = parse_rfc3339("2026-01-01T00:00:00Z").value())
      : now_(start.time_since_epoch().count()) {}
  Timestamp now() const override { return Timestamp{std::chrono::microseconds{now_.load()}}; }
  void advance(std::chrono::microseconds d) { now_ += d.count(); }
  void set(Timestamp t) { now_ = t.time_since_epoch().count(); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace tew::testing
