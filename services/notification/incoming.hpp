// What arrives on the two subscriptions, read into a Trigger or set aside as ignored. Routing
// is by the payload's event_type (the backend's CloudEvent type says nothing): a type the
// service does not handle, or one not configured to notify, is acknowledged and ignored; an
// invalid payload of a type it notifies is an error naming the field.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "notification/notification.hpp"
#include "tew/cloud_event.hpp"
#include "tew/error.hpp"

namespace tew::notification {

enum class Feed {
  task_events,  // task.created, task.updated, task.completed, task.deleted
  reminders,    // reminder.due
};

struct Incoming {
  std::string event_type;          // the payload's event_type
  std::optional<Trigger> trigger;  // nullopt: ignored, for `ignored_because`
  std::string ignored_because;
};

// The rvalue form takes the event's data (no copy) and leaves its attributes as they are.
Result<Incoming> read_incoming(CloudEvent&& event, Feed feed, const std::vector<Kind>& notify);
Result<Incoming> read_incoming(const CloudEvent& event, Feed feed, const std::vector<Kind>& notify);

}  // namespace tew::notification
