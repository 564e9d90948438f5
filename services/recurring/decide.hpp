// The domain decision of the recurring service, pure: from the stored series (if any) and one
// task event to the series record to write and the occurrence to spawn. No I/O, no clock: a
// re-run with the same inputs decides the same, which is what makes redelivery safe.
#pragma once

#include <optional>
#include <string>

#include "recurring/series.hpp"
#include "recurring/series_event.hpp"

namespace tew::recurring {

struct Spawn {
  std::string task_id;    // spawned_task_id(series, occurrence.start)
  Occurrence occurrence;  // the new current occurrence of the series
  // The task whose completion spawned it; empty when the scheduler spawned it.
  std::string completed_task_id;
  // Occurrences passed over before this one, never spawned: a scheduler catching up after
  // downtime spawns only the latest occurrence that has begun (see scheduled_spawn.hpp).
  std::int64_t skipped = 0;
};

struct Decision {
  std::optional<Series> write;  // the record to store; nullopt: the stored one stays as it is
  std::optional<Spawn> spawn;   // set only together with `write`, which has advanced to it
  std::string note;             // what was decided and why, for the log
};

// Where a task event stands against the stored series:
//   - a task that is the current occurrence (same task id, or same slot) applies: rule, zone
//     and mode changes (re-anchoring DTSTART at the current occurrence), a moved due date of a
//     task without occurrence_start, title etc.; completion spawns the next occurrence and
//     advances the series to it; deletion deletes the series; no recurrence stops it;
//   - a task whose slot is before the current one is history: nothing changes, so completing
//     an occurrence twice (redelivered, or reopened and completed again) spawns once;
//   - a task whose slot is after it becomes the current occurrence first (events we missed);
//   - an event of the current task older than the newest applied one changes nothing.
// Without a stored series, a recurring task starts one (DTSTART = its due date) and a deletion
// of the series' first task leaves a tombstone.
Decision decide(const std::optional<Series>& stored, const std::string& series_id,
                const SeriesEvent& event);

// The one step both spawn paths take, a completion (decide) and the scheduler
// (decide_scheduled): makes `occurrence`, which comes after the current one, the series'
// current occurrence, spawned as the task spawned_task_id(series, occurrence.start), and
// recomputes what follows it (`next`, or the series ended). Since both paths derive the task
// from the occurrence alone and advance the record with its ETag, whichever writes first spawns
// it and the other finds the series already past it.
Spawn advance(Series& series, const Occurrence& occurrence, std::string completed_task_id);

}  // namespace tew::recurring
