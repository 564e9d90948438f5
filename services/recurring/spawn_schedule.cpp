#include "recurring/spawn_schedule.hpp"

#include <algorithm>

#include "recurring/scheduled_spawn.hpp"
#include "tew/rfc3339.hpp"

namespace tew::recurring {

namespace {

// Rounds of sync when the series keeps changing between the index write and the re-read.
constexpr int kMaxSyncRounds = 4;

DueIndex::Change listing(std::optional<Timestamp> at) {
  return [at](const std::optional<DueRecord>& stored) -> std::optional<DueRecord> {
    if (at) {
      DueRecord listed;
      listed.state = DueState::scheduled;
      listed.due = *at;
      return listed;
    }
    if (!stored || stored->state != DueState::scheduled) return std::nullopt;
    DueRecord cancelled = *stored;
    cancelled.state = DueState::cancelled;
    return cancelled;
  };
}

}  // namespace

DueIndexOptions spawn_index_options(const SpawnScheduleOptions& options) {
  DueIndexOptions o;
  o.store = options.store;
  o.key_prefix = options.key_prefix;
  // Spawn times are hours or days apart, and a series fires at the first tick after its time
  // whatever the width (the bucket of now is read at every tick); wide buckets let a tick after
  // downtime catch up a day at a time (288 buckets of 5 minutes, ~3 state calls each).
  o.bucket_width = std::chrono::seconds(300);
  o.max_buckets_per_tick = 288;
  o.max_firings_per_tick = 500;
  o.claim_lease = std::chrono::seconds(60);
  o.max_lateness = std::nullopt;
  o.finished_ttl = std::chrono::seconds(7 * 86400);
  return o;
}

SpawnSchedule::SpawnSchedule(Sidecar& sidecar, const Clock& clock, SpawnScheduleOptions options)
    : options_(std::move(options)),
      clock_(clock),
      store_(sidecar, options_.store),
      index_(sidecar, clock, spawn_index_options(options_)) {}

bool SpawnSchedule::concerns(const std::optional<Series>& series) {
  return series && series->spawn_on_schedule;
}

std::optional<Timestamp> SpawnSchedule::listed_time(const Series& series) const {
  if (!series.pending_trigger) return scheduled_spawn_time(series, options_.lookahead);
  // The trigger's time is when its spawn happened: in the past, and the same at every sync, so
  // syncing an unchanged record writes nothing. One from a clock ahead of ours, or without a
  // readable time, is listed now: a pending trigger never waits.
  const auto now = clock_.now();
  const auto time = series.pending_trigger->find("time");
  if (time == series.pending_trigger->end() || !time->is_string()) return now;
  const auto at = parse_rfc3339(time->get<std::string>());
  return at ? std::min(*at, now) : now;
}

asio::awaitable<Result<void>> SpawnSchedule::list_pending(const std::string& series_id,
                                                          const Series& stored) {
  const auto at = listed_time(stored);
  auto listed = co_await index_.update(series_id, listing(at), at);
  if (!listed) co_return listed.error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> SpawnSchedule::sync(const std::string& series_id,
                                                  std::optional<Series> known) {
  for (int round = 0; round < kMaxSyncRounds; ++round) {
    const auto at = known ? listed_time(*known) : std::nullopt;
    auto listed = co_await index_.update(series_id, listing(at), at);
    if (!listed) co_return listed.error();
    auto again = co_await store_.load(series_id);
    if (!again) co_return again.error();
    const bool same = again->series.has_value() == known.has_value() &&
                      (!known || to_json(*again->series) == to_json(*known));
    if (same) co_return Result<void>{};
    known = std::move(again->series);
  }
  Error e;
  e.kind = ErrorKind::conflict;
  e.subject = "spawn schedule";
  e.message = "series " + series_id + " kept changing while its index entry was written";
  co_return e;
}

asio::awaitable<TickReport> SpawnSchedule::tick(const DueIndex::Fire& fire) {
  return index_.tick(fire);
}

}  // namespace tew::recurring
