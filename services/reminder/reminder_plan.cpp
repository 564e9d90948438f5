#include "reminder/reminder_plan.hpp"

#include "reminder/reminder_payload.hpp"

namespace reminder {

using tew::DueRecord;
using tew::DueState;

namespace {

bool settled(DueState state) {
  return state == DueState::fired || state == DueState::missed;
}

// The last reminder time that fired for this task, as far as the stored record knows.
std::optional<tew::Timestamp> fired_before(const std::optional<DueRecord>& stored,
                                           const std::optional<ReminderPayload>& payload) {
  if (stored && stored->state == DueState::fired) return stored->due;
  return payload ? payload->fired_remind_at : std::nullopt;
}

// Keeps the stored state where nothing is to be scheduled: a scheduled reminder is cancelled,
// a fired or missed one stays so (the record says what happened), none becomes a tombstone.
void without_reminder(DueRecord& next, const std::optional<DueRecord>& stored) {
  next.state = DueState::cancelled;
  if (!stored) return;
  next.due = stored->due;
  if (settled(stored->state)) {
    next.state = stored->state;
    next.settled_at = stored->settled_at;
  }
}

void with_reminder(DueRecord& next, tew::Timestamp when, const std::optional<DueRecord>& stored,
                   const std::optional<tew::Timestamp>& fired) {
  next.due = when;
  next.state = DueState::scheduled;
  if (stored && stored->due == when && settled(stored->state)) {
    next.state = stored->state;
    next.settled_at = stored->settled_at;
  } else if (fired == when) {
    next.state = DueState::fired;
  }
}

}  // namespace

std::optional<tew::Timestamp> reminder_time(const tew::Task& task, std::chrono::seconds lead_time) {
  if (task.remind_at) return task.remind_at;
  if (task.due_date) return *task.due_date - lead_time;
  return std::nullopt;
}

bool ends_reminders(const tew::TaskEvent& event) {
  return event.event_type == tew::TaskEventType::completed ||
         event.event_type == tew::TaskEventType::deleted || event.task.is_complete;
}

std::optional<DueRecord> plan_reminder(const tew::TaskEvent& event, std::string_view traceparent,
                                       const std::optional<DueRecord>& stored,
                                       std::chrono::seconds lead_time) {
  const Revision incoming = revision_of(event);
  const bool ending = ends_reminders(event);
  std::optional<ReminderPayload> old_payload;
  if (stored) {
    // A payload this service cannot read orders nothing: the event is applied.
    if (auto read = payload_from_json(stored->payload)) old_payload = std::move(*read);
    if (old_payload) {
      const int order = compare(incoming, old_payload->revision);
      if (order < 0) return std::nullopt;
      if (order == 0 && !(ending && stored->state == DueState::scheduled)) return std::nullopt;
    }
  }

  const auto fired = fired_before(stored, old_payload);
  DueRecord next;
  next.id = event.task_id;
  const auto when = ending ? std::nullopt : reminder_time(event.task, lead_time);
  if (when)
    with_reminder(next, *when, stored, fired);
  else
    without_reminder(next, stored);
  const ReminderPayload payload{event.user_id,
                                tew::to_json(event.task),
                                incoming,
                                std::string(tew::to_string(event.event_type)),
                                std::string(traceparent),
                                fired};
  next.payload = to_json(payload);
  return next;
}

}  // namespace reminder
