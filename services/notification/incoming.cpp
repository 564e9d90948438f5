#include "notification/incoming.hpp"

#include <algorithm>

#include "tew/json.hpp"

namespace tew::notification {

namespace {

bool carried_by(Feed feed, Kind kind) {
  return (kind == Kind::reminder_due) == (feed == Feed::reminders);
}

Incoming ignored(std::string event_type, std::string because) {
  return Incoming{std::move(event_type), std::nullopt, std::move(because)};
}

}  // namespace

Result<Incoming> read_incoming(const CloudEvent& event, Feed feed,
                               const std::vector<Kind>& notify) {
  return read_incoming(CloudEvent(event), feed, notify);
}

Result<Incoming> read_incoming(CloudEvent&& event, Feed feed, const std::vector<Kind>& notify) {
  auto payload = std::move(event).payload_json();
  if (!payload) return payload.error();
  if (!payload->is_object()) return Error::invalid("data", "must be a JSON object");
  const auto type = payload->find("event_type");
  if (type == payload->end() || type->is_null()) return Error::invalid("event_type", "is required");
  if (!type->is_string())
    return Error::invalid("event_type", "must be a string, not " + json_excerpt(*type));
  auto event_type = type->get<std::string>();

  const auto kind = kind_from(event_type);
  if (!kind || !carried_by(feed, *kind))
    return ignored(std::move(event_type), "not an event type this service handles here");
  if (std::find(notify.begin(), notify.end(), *kind) == notify.end())
    return ignored(std::move(event_type), "not in NOTIFY_EVENT_TYPES");

  if (*kind == Kind::reminder_due) {
    auto reminder = parse_reminder_due_event(std::move(*payload));
    if (!reminder) return reminder.error();
    return Incoming{std::move(event_type), Trigger{std::move(*reminder)}, {}};
  }
  auto task_event = parse_task_event(std::move(*payload));
  if (!task_event) return task_event.error();
  return Incoming{std::move(event_type), Trigger{std::move(*task_event)}, {}};
}

}  // namespace tew::notification
