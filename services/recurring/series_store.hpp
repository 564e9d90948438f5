// Series records in the Dapr state store, through the sidecar: "series|<series id>" holds the
// record (written only with first-write concurrency: inserted if absent, else guarded by its
// ETag), "series-of|<task id>" links a spawned task to its series, for task.deleted events
// whose task_data carries nothing but the task's id.
#pragma once

#include <optional>
#include <string>

#include "recurring/series.hpp"
#include "recurring/series_event.hpp"
#include "tew/sidecar.hpp"

namespace tew::recurring {

// Rounds of read-decide-write one event or firing may take when other writers keep winning
// the ETag race (each round also flushes a pending trigger); then RETRY.
inline constexpr int kMaxSeriesRounds = 8;

struct StoredSeries {
  std::string series_id;
  std::optional<Series> series;  // nullopt: no record yet
  std::string etag;              // of `series` as read
};

// What a save() that inserted `series` (its StoredSeries had none) left in the store, without
// reading it back: a key the state store has just created has ETag "1" (Redis' version counter;
// FakeStateStore models it, the e2e tests check it, SidecarDedupStore relies on it too). Were it
// otherwise, the next save guarded by it would only conflict, and its writer read again.
StoredSeries inserted(std::string series_id, Series series);

class SeriesStore {
 public:
  SeriesStore(Sidecar& sidecar, std::string store);

  asio::awaitable<Result<StoredSeries>> load(const std::string& series_id);
  // The series `event` belongs to: the one it names (series_id, parent_task_id); else the one
  // keyed by its own task id (it is a series' first task); else the one it was linked to when
  // spawned; else none yet, keyed by its own id.
  asio::awaitable<Result<StoredSeries>> find(const SeriesEvent& event);
  // Writes `series` where `at` was read: guarded by at's ETag, or inserted only if still
  // absent. Fails when someone else wrote first (then read again and decide again).
  asio::awaitable<Result<void>> save(const StoredSeries& at, const Series& series);
  // Remembers that `task_id` (a spawned task) belongs to `series_id`. Idempotent.
  asio::awaitable<Result<void>> link(const std::string& task_id, const std::string& series_id);

 private:
  static Result<StoredSeries> from_item(const std::string& series_id, StateItem item);

  Sidecar& sidecar_;
  std::string store_;
};

}  // namespace tew::recurring
