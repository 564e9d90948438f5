// What the recurring service reads from a delivery on the task-events topic: a task event with
// its recurrence validated (rule, zone, mode) and its link to a series, or an event of another
// type, which is acknowledged and ignored.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "recurring/occurrences.hpp"
#include "tew/cloud_event.hpp"
#include "tew/task_event.hpp"

namespace tew::recurring {

// task_data.recurrence and what goes with it, validated.
struct TaskRecurrence {
  std::string rule_text;  // as the task carries it, surrounding space removed
  RRule rule;
  std::string timezone;  // IANA name; "UTC" when the task has none
  const date::time_zone* zone = nullptr;
  RecurrenceMode mode = RecurrenceMode::due;
  bool spawn_on_schedule = false;  // task_data.spawn_on_schedule: for the scheduler
};

struct SeriesEvent {
  TaskEvent event;
  // task_data.series_id, else task_data.parent_task_id: the series this task belongs to, when
  // the task says so (every task we spawn does). Absent: the series is found by task id.
  std::optional<std::string> series_id;
  // Absent when the task does not recur (no or empty recurrence), and for task.deleted, whose
  // task_data may be partial: a deletion is never dropped for its recurrence fields.
  std::optional<TaskRecurrence> recurrence;
  // task_data.occurrence_start: the slot a spawned task was created for (its due date may have
  // been moved since); absent for a task the backend created. occurrence_index likewise.
  std::optional<Timestamp> occurrence_start;
  std::optional<std::int64_t> occurrence_index;

  // The slot of this task in its series: occurrence_start, else the due date.
  std::optional<Timestamp> slot() const {
    return occurrence_start ? occurrence_start : event.task.due_date;
  }
};

// Any other event_type on the topic (recurring.trigger, reminder.due, future types).
struct IgnoredEvent {
  std::string event_type;
};

using RecurringInput = std::variant<IgnoredEvent, SeriesEvent>;

// Errors (the event is DROPped) name the field: task_data.recurrence for a rule outside the
// subset, task_data.timezone for an unknown zone, task_data.recurrence_mode (due|completion),
// task_data.due_date when a recurring task has none, and every error parse_task_event reports.
// The rvalue form takes the event's data (no copy) and leaves its attributes as they are.
Result<RecurringInput> parse_recurring_input(CloudEvent&& event);
Result<RecurringInput> parse_recurring_input(const CloudEvent& event);

}  // namespace tew::recurring
