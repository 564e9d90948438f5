// The scheduler's durable index of series (tew::DueIndex, keys "<app id>|series-schedule|…"):
// each series marked spawn_on_schedule is listed at its scheduled_spawn_time, and a series whose
// trigger could not be published at once, whatever its mode, so a cron tick reads only the series
// that are due, never every series, and publishes every trigger its event did not. The series
// record stays the truth: the index is kept in step after every series write, and a firing
// re-reads the series and re-decides, so a stale index entry costs one firing, never a wrong spawn.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "recurring/series_store.hpp"
#include "tew/due_index.hpp"

namespace tew::recurring {

struct SpawnScheduleOptions {
  std::string store;       // STATE_STORE
  std::string key_prefix;  // "<app id>|series-schedule|", apart from every other key we write
  std::chrono::seconds lookahead{86400};  // RECURRING_LOOKAHEAD_SECONDS
};

// The index's own limits (buckets of 5 minutes, a day of them and 500 firings per tick,
// claims of 60 s, finished entries kept 7 days) and no maximum lateness: a late series is
// still spawned (decide_scheduled decides which occurrence).
DueIndexOptions spawn_index_options(const SpawnScheduleOptions& options);

class SpawnSchedule {
 public:
  SpawnSchedule(Sidecar& sidecar, const Clock& clock, SpawnScheduleOptions options);

  std::chrono::seconds lookahead() const { return options_.lookahead; }

  // Whether `series` is listed for its scheduled spawns: marked spawn_on_schedule, whatever its
  // state. Writers call sync() when the series they read or wrote was, so a flag, mode or state
  // change unlists it. A series listed only for a pending trigger is not synced by writers: its
  // entry goes stale once the trigger is published, and the firing it costs unlists it.
  static bool concerns(const std::optional<Series>& series);

  // Lists `series_id`, whose record `stored` holds a trigger that could not be published, at the
  // trigger's time (now if that is still ahead), so the next tick publishes it if the event that
  // wrote it is never delivered again. One index update, no re-read: `stored` is written
  // already, so a concurrent sync that updates the index after this reads it back and lists the
  // trigger again. If the trigger is published meanwhile (the redelivery), the entry is stale:
  // it costs one firing, which finds no trigger, publishes nothing and unlists it.
  asio::awaitable<Result<void>> list_pending(const std::string& series_id, const Series& stored);

  // Brings the entry of `series_id` in step with its record: listed at once if it holds a
  // pending trigger (at the trigger's time, or now if that is still ahead), else at
  // scheduled_spawn_time, else cancelled (if listed). `known` is the record as last read or written
  // (nullopt: none). The record is read again after the index was written and the index rewritten
  // if it changed meanwhile, so whichever of two concurrent syncs finishes last leaves the latest
  // record's time. Idempotent; repairs an entry a crash left behind.
  asio::awaitable<Result<void>> sync(const std::string& series_id, std::optional<Series> known);

  // Fires every listed series whose time has come, once across replicas (tew::DueIndex::tick).
  asio::awaitable<TickReport> tick(const DueIndex::Fire& fire);

  DueIndex& index() { return index_; }

 private:
  // Where `series` is listed: see sync().
  std::optional<Timestamp> listed_time(const Series& series) const;

  SpawnScheduleOptions options_;
  const Clock& clock_;
  SeriesStore store_;
  DueIndex index_;
};

}  // namespace tew::recurring
