// The scheduler's domain decision, pure: when a series marked spawn_on_schedule spawns its next
// occurrence without waiting for a completion (once it enters the look-ahead window), and
// which occurrence a late firing spawns. No I/O, no clock: `now` is handed in.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "recurring/decide.hpp"

namespace tew::recurring {

// When the scheduler spawns the series' next occurrence: `lookahead` before it starts. Only
// for an active series marked spawn_on_schedule in mode due; in mode completion the next
// occurrence is not known before the completion, so only the completion spawns it. nullopt:
// the scheduler has nothing to do for the series.
std::optional<Timestamp> scheduled_spawn_time(const Series& series, std::chrono::seconds lookahead);

// At most this many occurrences are passed over in one decision (catching up after years of
// downtime of a daily series); a longer backlog is worked off over several firings.
inline constexpr int kMaxSkippedPerSpawn = 10000;

struct ScheduledDecision {
  std::optional<Series> write;  // the advanced record; set exactly when `spawn` is
  std::optional<Spawn> spawn;   // completed_task_id empty; `skipped` counted
  std::string note;             // what was decided and why, for the log
};

// The firing of a series at `now`: nothing unless its scheduled_spawn_time has come; then it
// spawns the next occurrence and advances the series to it (decide.hpp: advance). Lateness:
// after downtime several occurrences may have begun already. Only the latest of those is
// spawned (late); the earlier ones are skipped, counted in spawn.skipped and in the record's
// skipped_occurrences: a backlog of stale tasks helps no one. Occurrences that have not begun
// are never skipped, so a look-ahead longer than the rule's period spawns each in turn.
ScheduledDecision decide_scheduled(const std::optional<Series>& stored, Timestamp now,
                                   std::chrono::seconds lookahead);

}  // namespace tew::recurring
