// Task events for the reminder tests, built the way the backend sends them: one task, changed
// field by field, with a version and timestamps that say which event is newer.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tew/cloud_event.hpp"
#include "tew/rfc3339.hpp"
#include "tew/task_event.hpp"

namespace reminder_test {

using nlohmann::json;

inline const std::string kTaskId = "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42";
inline const std::string kUserId = "u-7f3c2a91";

// The payload of a task event, built field by field; `version` and `timestamp` order it.
struct TaskEventSpec {
  std::string event_type_ = "task.created";
  std::optional<std::string> remind_at_;
  std::optional<std::string> due_date_;
  std::optional<std::int64_t> version_ = 1;
  std::string timestamp_ = "2026-03-02T09:00:00Z";
  bool is_complete_ = false;
  std::string title_ = "Buy milk";
  std::string task_id_ = kTaskId;

  TaskEventSpec& type(std::string v) { return event_type_ = std::move(v), *this; }
  TaskEventSpec& remind(std::string v) { return remind_at_ = std::move(v), *this; }
  TaskEventSpec& due(std::string v) { return due_date_ = std::move(v), *this; }
  TaskEventSpec& version(std::int64_t v) { return version_ = v, *this; }
  TaskEventSpec& stamp(std::string v) { return timestamp_ = std::move(v), *this; }
  TaskEventSpec& complete() { return is_complete_ = true, *this; }
  TaskEventSpec& title(std::string v) { return title_ = std::move(v), *this; }
  TaskEventSpec& task(std::string v) { return task_id_ = std::move(v), *this; }
};

inline TaskEventSpec spec() {
  return {};
}

inline json task_event_payload(const TaskEventSpec& s) {
  json task = {{"id", s.task_id_}, {"title", s.title_}, {"is_complete", s.is_complete_}};
  if (s.remind_at_) task["remind_at"] = *s.remind_at_;
  if (s.due_date_) task["due_date"] = *s.due_date_;
  if (s.version_) task["version"] = *s.version_;
  return json{{"schema_version", 1},       {"event_type", s.event_type_}, {"task_id", s.task_id_},
              {"user_id", kUserId},        {"timestamp", s.timestamp_},   {"task_data", task},
              {"metadata", json::object()}};
}

inline tew::TaskEvent task_event(const TaskEventSpec& s) {
  return tew::parse_task_event(task_event_payload(s)).value();
}

// As daprd delivers the backend's plain-JSON publish: type com.dapr.event.sent.
inline tew::CloudEvent delivered(const json& payload, std::string id = "evt-1") {
  tew::CloudEvent event;
  event.id = std::move(id);
  event.source = "task-api";
  event.type = "com.dapr.event.sent";
  event.datacontenttype = "application/json";
  event.extensions = {{"topic", "task-events"},
                      {"pubsubname", "pubsub"},
                      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  event.data = payload;
  return event;
}

inline tew::Timestamp at(const char* text) {
  return tew::parse_rfc3339(text).value();
}

}  // namespace reminder_test
