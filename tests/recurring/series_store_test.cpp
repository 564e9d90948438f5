#include "recurring/series_store.hpp"

#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "recurring/decide.hpp"
#include "run_awaitable.hpp"
#include "task_events.hpp"

namespace {

using namespace tew::recurring;
using namespace tew::recurring::testing;
using nlohmann::json;
using tew::testing::run_awaitable;

struct Fixture {
  tew::testing::FakeClock clock;
  tew::testing::FakeSidecar sidecar{clock};
  SeriesStore store{sidecar, "statestore"};

  // Records a series for task `id` by deciding on its task.created.
  void record(std::string_view id) {
    const auto e =
        series_event("task.created", recurring_task(id, "2026-03-03T17:00:00Z", "weekly"),
                     "2026-03-02T09:00:00Z");
    const auto at = run_awaitable(store.load(std::string(id))).value();
    REQUIRE(
        run_awaitable(store.save(at, *decide(std::nullopt, std::string(id), e).write)).has_value());
  }
  StoredSeries find(json task_data) {
    return run_awaitable(store.find(series_event("task.deleted", std::move(task_data),
                                                 "2026-03-05T08:00:00Z")))
        .value();
  }
};

}  // namespace

TEST_CASE("find: the named series, else the task's own, else the one it was linked to") {
  Fixture f;
  f.record("t-1");
  auto named = f.find(json{{"id", "t-7"}, {"series_id", "t-1"}});
  CHECK(named.series_id == "t-1");
  CHECK(named.series.has_value());
  CHECK(f.find(json{{"id", "t-1"}}).series.has_value());

  auto unknown = f.find(json{{"id", "t-2"}});
  CHECK(unknown.series_id == "t-2");
  CHECK_FALSE(unknown.series.has_value());
  REQUIRE(run_awaitable(f.store.link("t-2", "t-1")).has_value());
  const auto linked = f.find(json{{"id", "t-2"}});
  CHECK(linked.series_id == "t-1");
  CHECK(linked.series.has_value());
}

TEST_CASE("save inserts only when absent and otherwise needs the ETag it read") {
  Fixture f;
  f.record("t-1");
  const auto writes = f.sidecar.state_writes();
  REQUIRE(writes.size() == 1);
  CHECK(writes[0].key == "series|t-1");
  CHECK(writes[0].concurrency == tew::Concurrency::first_write);
  CHECK_FALSE(writes[0].etag.has_value());

  // A second insert of the same series loses: someone recorded it first.
  const StoredSeries absent{"t-1", std::nullopt, ""};
  const auto series = *run_awaitable(f.store.load("t-1")).value().series;
  CHECK_FALSE(run_awaitable(f.store.save(absent, series)).has_value());
  // A write with a stale ETag loses too.
  const auto read = run_awaitable(f.store.load("t-1")).value();
  REQUIRE(run_awaitable(f.store.save(read, series)).has_value());
  const auto stale = run_awaitable(f.store.save(read, series));
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().kind == tew::ErrorKind::conflict);
}

TEST_CASE("a record stored under another series' key is refused, not used") {
  Fixture f;
  f.record("t-1");
  auto moved = f.sidecar.state().peek("series|t-1")->value;
  REQUIRE(f.sidecar.state()
              .save({"series|t-9", moved, std::nullopt, tew::Concurrency::first_write,
                     tew::Consistency::strong, std::nullopt})
              .has_value());
  const auto r = run_awaitable(f.store.load("t-9"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().subject == "series");
}
