#include "reminder/reminder_due.hpp"

#include "reminder/reminder_payload.hpp"
#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"

namespace reminder {

std::string reminder_event_id(std::string_view task_id, tew::Timestamp remind_at) {
  const auto at = tew::format_rfc3339(remind_at);
  return tew::derive_id({"reminder.due", task_id, at});
}

tew::Result<tew::ReminderDueEvent> reminder_due_event(const tew::DueFiring& firing,
                                                      std::chrono::seconds late_after) {
  const auto& record = firing.record;
  auto payload = payload_from_json(record.payload);
  if (!payload) return payload.error();
  auto task = tew::parse_task(payload->task);
  if (!task) return task.error();

  tew::ReminderDueEvent event;
  event.task_id = record.id;
  event.user_id = payload->user_id;
  event.timestamp = firing.attempt_time;
  event.remind_at = *record.due;
  event.due_date = task->due_date;
  const auto lateness = firing.attempt_time - *record.due;
  event.late = lateness > late_after;
  if (event.late)
    event.metadata["lateness_seconds"] =
        std::chrono::duration_cast<std::chrono::seconds>(lateness).count();
  event.task = std::move(*task);
  return event;
}

tew::Result<tew::PublishRequest> reminder_due_request(const tew::DueFiring& firing,
                                                      const ReminderTarget& target,
                                                      std::chrono::seconds late_after) {
  auto due = reminder_due_event(firing, late_after);
  if (!due) return due.error();
  auto payload = payload_from_json(firing.record.payload);
  if (!payload) return payload.error();

  tew::CloudEvent event;
  event.id = reminder_event_id(due->task_id, due->remind_at);
  event.source = target.source;
  event.type = "reminder.due";
  event.subject = due->task_id;
  event.time = due->timestamp;
  event.datacontenttype = "application/json";
  event.data = tew::to_json(*due);
  return tew::PublishRequest{
      target.pubsub, target.topic, std::move(event), std::move(payload->traceparent), {}};
}

}  // namespace reminder
