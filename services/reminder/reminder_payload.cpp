#include "reminder/reminder_payload.hpp"

#include "tew/rfc3339.hpp"

namespace reminder {

namespace {

std::string string_or_empty(const nlohmann::json& doc, const char* name) {
  const auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

nlohmann::json to_json(const ReminderPayload& payload) {
  nlohmann::json doc = {{"user_id", payload.user_id},
                        {"task", payload.task},
                        {"revision", to_json(payload.revision)},
                        {"event_type", payload.event_type}};
  if (!payload.traceparent.empty()) doc["traceparent"] = payload.traceparent;
  if (payload.fired_remind_at)
    doc["fired_remind_at"] = tew::format_rfc3339(*payload.fired_remind_at);
  return doc;
}

tew::Result<ReminderPayload> payload_from_json(const nlohmann::json& doc) {
  const auto invalid = [](const char* field, const char* why) {
    return tew::Error::invalid(std::string("payload.") + field, why);
  };
  if (!doc.is_object()) return invalid("", "not an object");
  ReminderPayload payload;
  const auto user = doc.find("user_id");
  if (user == doc.end() || !user->is_string() || user->get<std::string>().empty())
    return invalid("user_id", "missing");
  payload.user_id = user->get<std::string>();
  const auto task = doc.find("task");
  if (task == doc.end() || !task->is_object()) return invalid("task", "missing");
  payload.task = *task;
  const auto revision = doc.find("revision");
  if (revision == doc.end()) return invalid("revision", "missing");
  auto parsed = revision_from_json(*revision);
  if (!parsed) return invalid("revision", "unreadable");
  payload.revision = *parsed;
  payload.event_type = string_or_empty(doc, "event_type");
  payload.traceparent = string_or_empty(doc, "traceparent");
  if (const auto fired = doc.find("fired_remind_at"); fired != doc.end()) {
    auto at = fired->is_string() ? tew::parse_rfc3339(fired->get<std::string>(), "fired_remind_at")
                                 : tew::Result<tew::Timestamp>(tew::Error{});
    if (!at) return invalid("fired_remind_at", "not an RFC 3339 time");
    payload.fired_remind_at = *at;
  }
  return payload;
}

}  // namespace reminder
