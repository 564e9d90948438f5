// The events the service publishes about each notification, on NOTIFICATIONS_TOPIC:
// `notification.sent` once a channel delivered it, `notification.failed` when a channel refused
// it for good. Payloads share the task events' envelope; everything in them comes from the
// triggering event, so a re-run publishes them byte for byte again.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "notification/notification.hpp"

namespace tew::notification {

inline constexpr std::string_view kNotificationSent = "notification.sent";
inline constexpr std::string_view kNotificationFailed = "notification.failed";

// {schema_version: 1, event_type, task_id, user_id, timestamp: created_at, task_data (when the
//  trigger carries the task), metadata (the trigger's), notification: {...},
//  cause: {source, id, event_type}, reason (notification.failed only)}
nlohmann::json sent_payload(const Trigger& trigger, const Notification& notification,
                            const CloudEvent& cause);
nlohmann::json failed_payload(const Trigger& trigger, const Notification& notification,
                              const CloudEvent& cause, std::string_view reason);

// The purpose the follow-on event id is derived from: its type and channel.
std::string outcome_purpose(std::string_view event_type, std::string_view channel);

}  // namespace tew::notification
