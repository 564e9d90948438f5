// What the reminder service keeps in a schedule record's payload: the task as last seen, its
// owner, the revision that wrote it (for ordering) and the trace that scheduled it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "reminder/revision.hpp"
#include "tew/error.hpp"

namespace reminder {

struct ReminderPayload {
  std::string user_id;
  nlohmann::json task = nlohmann::json::object();  // task_data, canonical (tew::to_json(Task))
  Revision revision;
  std::string event_type;   // of the event that wrote it, e.g. "task.updated"
  std::string traceparent;  // of that event: the reminder.due continues its trace
  // The last reminder time that fired, kept through a cancellation, so a task that is reopened
  // (or updated) with the same time does not remind again.
  std::optional<tew::Timestamp> fired_remind_at;
  friend bool operator==(const ReminderPayload&, const ReminderPayload&) = default;
};

nlohmann::json to_json(const ReminderPayload& payload);
// Errors name the field ("payload.user_id"); records are written only by this service.
tew::Result<ReminderPayload> payload_from_json(const nlohmann::json& doc);

}  // namespace reminder
