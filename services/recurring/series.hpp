// The series record: what the recurring service keeps per recurring task in the state store
// (key "series|<series id>"), and its JSON form. One record per series, advanced one
// occurrence at a time with ETag-guarded writes, never moved backwards.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "recurring/occurrences.hpp"

namespace tew::recurring {

//   active:  completing the current occurrence spawns the next
//   ended:   COUNT or UNTIL reached (a rule change on the current task can reopen it)
//   stopped: the current task no longer recurs (a later event that recurs again restarts it)
//   deleted: the current task was deleted; final, so no late event brings the series back
enum class SeriesState { active, ended, stopped, deleted };

std::string_view to_string(SeriesState state);

// How a task event is ordered against others of the same task: by version when both carry
// one, else by updated_at when both do, else by the event's timestamp.
struct EventOrder {
  std::string task_id;
  std::optional<std::int64_t> version;
  std::optional<Timestamp> updated_at;
  Timestamp timestamp;

  friend bool operator==(const EventOrder&, const EventOrder&) = default;
};

// True if `a` is strictly older than `b` (both of the same task).
bool is_older(const EventOrder& a, const EventOrder& b);

// What a spawned task copies: kept up to date from the events of the current task, so that a
// spawn (on completion now, by the scheduler later) has the task as it was last seen.
struct TaskTemplate {
  std::string user_id;
  std::string title;
  std::string description;
  std::optional<std::int64_t> remind_before_seconds;  // due_date - remind_at of the task

  friend bool operator==(const TaskTemplate&, const TaskTemplate&) = default;
};

struct Series {
  std::string id;  // the series id: the first task's id, see README ("recurring")
  SeriesState state = SeriesState::active;
  // The rule, as text (for the spawned tasks) and parsed, with its zone and mode.
  std::string rule_text;
  RRule rule;
  std::string timezone;
  const date::time_zone* zone = nullptr;
  RecurrenceMode mode = RecurrenceMode::due;
  bool spawn_on_schedule = false;
  // DTSTART: the local wall-clock time the expansion is anchored at (the first due date; moved
  // to the current occurrence when the rule or zone changes).
  LocalTime anchor;
  // The latest occurrence: the first task, or the one last spawned. Index counts from DTSTART.
  std::string current_task_id;
  Occurrence current;
  // Mode due: the occurrence after `current` (what the scheduler will spawn when it enters
  // its look-ahead window); nullopt in mode completion and when the series is over.
  std::optional<Occurrence> next;
  // The newest event of the current task applied; older ones of that task change nothing.
  std::optional<EventOrder> last_change;
  TaskTemplate task;
  // Occurrences the scheduler passed over, never spawned (catching up after downtime).
  std::int64_t skipped_occurrences = 0;
  // A recurring.trigger written together with the advance that spawned it, published and then
  // cleared: the outbox that makes a spawn survive a crash between the write and the publish.
  std::optional<nlohmann::json> pending_trigger;

  Recurrence recurrence() const { return {rule, zone, anchor}; }
};

// The subject of every error about what a series record holds (unreadable, of another
// series, a broken pending trigger), as opposed to the state store failing: retrying the same
// read cannot help.
inline constexpr std::string_view kSeriesSubject = "series";
inline bool is_broken_record(const Error& e) {
  return e.subject == kSeriesSubject;
}

nlohmann::json to_json(const Series& series);
// A record this build cannot read is an error (subject "series"): it is never overwritten.
// A deleted series may be a bare tombstone {"series_id","state":"deleted"}.
Result<Series> parse_series(const nlohmann::json& record);

// The id of the task spawned for `occurrence` of series `series_id`, and of its
// recurring.trigger event: UUID v5 (tew::derive_id) of the series id and the occurrence's UTC
// start, so any replica, any re-run, the completion and the scheduler derive the same ones.
std::string spawned_task_id(std::string_view series_id, Timestamp occurrence_start);
std::string trigger_event_id(std::string_view series_id, Timestamp occurrence_start);

}  // namespace tew::recurring
