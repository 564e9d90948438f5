// The reminder.due event for a firing of the schedule. Everything in it comes from the stored
// record and the first attempt's time, so a retry or a takeover by another replica publishes
// the identical event, with the id derived from (task_id, remind_at).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "tew/due_index.hpp"
#include "tew/sidecar.hpp"
#include "tew/task_event.hpp"

namespace reminder {

struct ReminderTarget {
  std::string pubsub;
  std::string topic;   // REMINDERS_TOPIC
  std::string source;  // CloudEvent source: EVENT_SOURCE, default the app id
};

// UUID v5 of ("reminder.due", task_id, remind_at as RFC 3339).
std::string reminder_event_id(std::string_view task_id, tew::Timestamp remind_at);

// timestamp = the first attempt's time; late when that was more than `late_after` after
// remind_at; task_data = the task as last seen; metadata.lateness_seconds when late.
tew::Result<tew::ReminderDueEvent> reminder_due_event(const tew::DueFiring& firing,
                                                      std::chrono::seconds late_after);

// The full CloudEvent (type reminder.due, time = timestamp, subject = task id) to publish,
// carrying the traceparent of the event that scheduled the reminder.
tew::Result<tew::PublishRequest> reminder_due_request(const tew::DueFiring& firing,
                                                      const ReminderTarget& target,
                                                      std::chrono::seconds late_after);

}  // namespace reminder
