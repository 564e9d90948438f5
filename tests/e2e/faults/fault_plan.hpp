// The event stream of the fault suite and the effects it must have, computed in advance: which
// task events the backend publishes (with their CloudEvent ids), and from them the exact ids of
// every notification, reminder.due, spawned task and dead letter the services must produce.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace tew::faults {

// One event as the task backend publishes it: a full CloudEvent whose id daprd keeps.
struct PlannedEvent {
  std::string id;
  nlohmann::json cloud_event;
  bool poison = false;  // invalid: every service must DROP it onto its dead-letter topic
};

// What the services must have done once the stream is handled, by id.
struct Expected {
  std::set<std::string> notifications;  // Idempotency-Key of the webhook = notification_id
  std::set<std::string> reminders;      // CloudEvent id of reminder.due
  std::set<std::string> spawned_tasks;  // task_data.id of recurring.trigger
  std::map<std::string, std::string> spawn_sources;  // spawned task id -> the completed task
  std::set<std::string> dead_letters;                // CloudEvent ids of the poisoned events
  std::map<std::string, std::chrono::system_clock::time_point> reminder_times;  // id -> due
};

// The source the task backend publishes with, and the reminder service's own (its app id).
inline constexpr const char* kBackendSource = "task-api";
inline constexpr const char* kReminderSource = "reminder";

class FaultPlan {
 public:
  // `run` makes ids unique per run; `now` anchors remind_at times. Task i gets its events from
  // events_of(i, now_at_publish), so reminder times follow the stream.
  explicit FaultPlan(std::string run) : run_(std::move(run)) {}

  // The events of task `i`, published in this order right away; reminders are due
  // `remind_in` after `now`.
  std::vector<PlannedEvent> events_of(std::size_t i, std::chrono::system_clock::time_point now);

  // Everything expected from the events handed out so far.
  const Expected& expected() const { return expected_; }
  // The notifications expected from the backend's events handed out so far (not reminders).
  const std::set<std::string>& event_notification_ids() const { return event_notifications_; }

 private:
  PlannedEvent task_event(const std::string& type, const std::string& task_id,
                          nlohmann::json task_data, int version,
                          std::chrono::system_clock::time_point now);

  std::string run_;
  std::size_t next_event_ = 0;
  Expected expected_;
  std::set<std::string> event_notifications_;
};

// notification_id of the webhook channel for an event (services/notification derives it so).
std::string webhook_notification_id(const std::string& source, const std::string& event_id);

}  // namespace tew::faults
