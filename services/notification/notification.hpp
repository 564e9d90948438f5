// What the service sends: one notification per triggering event and channel, built only from
// the event (never from the wall clock or a random source), so that a redelivered event builds
// a byte-identical notification with the same id.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "tew/cloud_event.hpp"
#include "tew/task_event.hpp"

namespace tew::notification {

// The event types that can notify, named as their payload's event_type.
enum class Kind { task_created, task_updated, task_completed, task_deleted, reminder_due };

inline constexpr Kind kAllKinds[] = {Kind::task_created, Kind::task_updated, Kind::task_completed,
                                     Kind::task_deleted, Kind::reminder_due};

std::string_view to_string(Kind kind);  // "task.created", ..., "reminder.due"
std::optional<Kind> kind_from(std::string_view event_type);

// What a notification is about: a task event or a reminder that fell due.
using Trigger = std::variant<TaskEvent, ReminderDueEvent>;

Kind kind_of(const Trigger& trigger);

struct Notification {
  std::string notification_id;  // UUID v5 of (event source, event id, channel)
  std::string user_id;
  std::string task_id;
  Kind kind = Kind::task_created;
  std::string title;
  std::string body;
  std::string channel;
  Timestamp created_at;  // the triggering event's time

  friend bool operator==(const Notification&, const Notification&) = default;
};

// The id of the notification `event` causes on `channel`.
std::string notification_id(const CloudEvent& event, std::string_view channel);

// The notification `trigger` (the payload of `event`) causes on `channel`. created_at is the
// CloudEvent's `time`, or the payload's timestamp when the event has none.
Notification compose(const Trigger& trigger, const CloudEvent& event, std::string_view channel);

// {notification_id, user_id, task_id, kind, title, body, channel, created_at}
nlohmann::json to_json(const Notification& notification);

}  // namespace tew::notification
