#include "recurring/trigger.hpp"

#include "tew/rfc3339.hpp"
#include "tew/task_event.hpp"

namespace tew::recurring {

namespace {

nlohmann::json new_task(const Series& s, const Spawn& spawn) {
  const auto start = format_rfc3339(spawn.occurrence.start);
  nlohmann::json task = {{"id", spawn.task_id},
                         {"title", s.task.title},
                         {"description", s.task.description},
                         {"is_complete", false},
                         {"due_date", start},
                         {"recurrence", s.rule_text},
                         {"timezone", s.timezone},
                         {"recurrence_mode", to_string(s.mode)},
                         {"parent_task_id", s.id},
                         {"series_id", s.id},
                         {"occurrence_start", start},
                         {"occurrence_index", spawn.occurrence.index}};
  // The reminder keeps its distance from the due date.
  if (s.task.remind_before_seconds)
    task["remind_at"] = format_rfc3339(spawn.occurrence.start -
                                       std::chrono::seconds{*s.task.remind_before_seconds});
  if (s.spawn_on_schedule) task["spawn_on_schedule"] = true;
  return task;
}

CloudEvent build(const Series& series, const Spawn& spawn, Timestamp time, std::string_view source,
                 nlohmann::json metadata) {
  const auto start = format_rfc3339(spawn.occurrence.start);
  CloudEvent out;
  out.id = trigger_event_id(series.id, spawn.occurrence.start);
  out.source = std::string(source);
  out.type = std::string(kTriggerType);
  out.subject = spawn.task_id;
  out.time = time;
  out.datacontenttype = "application/json";
  nlohmann::json data = {{"schema_version", kTaskEventSchemaVersion},
                         {"event_type", kTriggerType},
                         {"task_id", spawn.task_id},
                         {"user_id", series.task.user_id},
                         {"timestamp", format_rfc3339(time)},
                         {"series_id", series.id},
                         {"parent_task_id", series.id}};
  if (!spawn.completed_task_id.empty()) data["completed_task_id"] = spawn.completed_task_id;
  data["occurrence_start"] = start;
  data["occurrence_index"] = spawn.occurrence.index;
  data["task_data"] = new_task(series, spawn);
  data["metadata"] = std::move(metadata);
  out.data = std::move(data);
  return out;
}

}  // namespace

CloudEvent trigger_event(const Series& series, const Spawn& spawn, const TaskEvent& cause,
                         std::string_view source) {
  return build(series, spawn, cause.timestamp, source, {{"trigger", "completion"}});
}

CloudEvent scheduled_trigger_event(const Series& series, const Spawn& spawn, Timestamp at,
                                   std::string_view source) {
  nlohmann::json metadata = {{"trigger", "schedule"}};
  if (spawn.skipped > 0) metadata["skipped_occurrences"] = spawn.skipped;
  return build(series, spawn, at, source, std::move(metadata));
}

}  // namespace tew::recurring
