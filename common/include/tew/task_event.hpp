// Typed, validated views of what the task backend publishes: the task event envelope
// `{event_type, task_id, user_id, timestamp, task_data{...}, metadata}` and `reminder.due`.
// Unknown fields are ignored (and kept in `raw`); a missing required field names itself.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tew/clock.hpp"
#include "tew/error.hpp"

namespace tew {

// Payload schema versions this build reads. `schema_version` absent means 1.
inline constexpr int kTaskEventSchemaVersion = 1;

enum class TaskEventType { created, updated, completed, deleted };

std::string_view to_string(TaskEventType type);  // "task.created", ...
std::optional<TaskEventType> task_event_type_from(std::string_view text);

// `task_data`: the full task as the backend sends it. Only `id` is required; the other fields
// are validated when present (wrong type or bad time → error naming `task_data.<field>`).
// A field whose value is null counts as absent. `is_complete` must be a bool and `version` an
// integer (no strings, no fractions, within int64).
struct Task {
  std::string id;
  std::string title;
  std::string description;
  bool is_complete = false;
  std::optional<Timestamp> due_date;
  std::optional<Timestamp> remind_at;
  std::optional<std::string> recurrence;       // RRULE or daily|weekly|monthly|yearly
  std::optional<std::string> timezone;         // IANA name; absent means UTC
  std::optional<std::string> recurrence_mode;  // "due" | "completion"
  std::optional<Timestamp> updated_at;
  std::optional<std::int64_t> version;
  // The whole object, unknown fields included. parse_task writes the typed fields back into it
  // in canonical form (times as format_rfc3339), so that to_json(parse_task(x)) == raw.
  nlohmann::json raw = nlohmann::json::object();

  friend bool operator==(const Task&, const Task&) = default;
};

struct TaskEvent {
  int schema_version = kTaskEventSchemaVersion;
  TaskEventType event_type = TaskEventType::created;
  std::string task_id;
  std::string user_id;
  Timestamp timestamp;
  Task task;
  nlohmann::json metadata = nlohmann::json::object();

  friend bool operator==(const TaskEvent&, const TaskEvent&) = default;
};

// `reminder.due`: the same envelope with event_type "reminder.due", plus when the reminder was
// due, the task's due date, and whether it fired late. `task_data` is optional (title etc.).
struct ReminderDueEvent {
  int schema_version = kTaskEventSchemaVersion;
  std::string task_id;
  std::string user_id;
  Timestamp timestamp;
  Timestamp remind_at;
  std::optional<Timestamp> due_date;
  bool late = false;
  std::optional<Task> task;
  nlohmann::json metadata = nlohmann::json::object();

  friend bool operator==(const ReminderDueEvent&, const ReminderDueEvent&) = default;
};

// The rvalue forms move `raw` and `metadata` out of the argument instead of copying them.
Result<Task> parse_task(const nlohmann::json& task_data);
Result<Task> parse_task(nlohmann::json&& task_data);
// Requires event_type (one of task.*), task_id, user_id, timestamp, task_data (object with id);
// metadata optional (object). A schema_version newer than this build reads is an error.
// task_id and task_data.id must be equal: a mismatch is an error naming "task_data.id".
// A payload that is not an object is an error naming "data".
Result<TaskEvent> parse_task_event(const nlohmann::json& data);
Result<TaskEvent> parse_task_event(nlohmann::json&& data);
// Requires event_type "reminder.due", task_id, user_id, timestamp, remind_at; due_date and
// task_data optional (task_data.id, when present, must equal task_id); `late` a bool, default
// false.
Result<ReminderDueEvent> parse_reminder_due_event(const nlohmann::json& data);
Result<ReminderDueEvent> parse_reminder_due_event(nlohmann::json&& data);

// Unset optional fields are omitted, except that a Task keeps a null for one `raw` holds.
nlohmann::json to_json(const Task& task);  // `raw` with the typed fields written over it
nlohmann::json to_json(const TaskEvent& event);
nlohmann::json to_json(const ReminderDueEvent& event);

}  // namespace tew
