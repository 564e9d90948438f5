// One notification for the channel tests, as compose() would build it for a reminder.
#pragma once

#include <string>

#include "notification/notification.hpp"
#include "tew/rfc3339.hpp"

namespace tew::notification::testing {

inline Notification sample_notification(std::string channel) {
  Notification n;
  n.notification_id = "6f1e3c2a-0d4b-5e8f-9a7c-1b2d3e4f5a6b";
  n.user_id = "u-1";
  n.task_id = "t-1";
  n.kind = Kind::reminder_due;
  n.title = "Reminder: Buy milk";
  n.body = "Buy milk is due 2026-03-03T17:00:00Z.";
  n.channel = std::move(channel);
  n.created_at = parse_rfc3339("2026-03-03T16:30:00Z").value();
  return n;
}

}  // namespace tew::notification::testing
