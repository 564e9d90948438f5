#include "notification/outcome_events.hpp"

#include "tew/rfc3339.hpp"

namespace tew::notification {

namespace {

nlohmann::json payload(std::string_view event_type, const Trigger& trigger, const Notification& n,
                       const CloudEvent& cause) {
  nlohmann::json data = {
      {"schema_version", kTaskEventSchemaVersion},
      {"event_type", event_type},
      {"task_id", n.task_id},
      {"user_id", n.user_id},
      {"timestamp", format_rfc3339(n.created_at)},
      {"notification", to_json(n)},
      {"cause", {{"source", cause.source}, {"id", cause.id}, {"event_type", to_string(n.kind)}}}};
  std::visit(
      [&data](const auto& e) {
        data["metadata"] = e.metadata;
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, TaskEvent>)
          data["task_data"] = to_json(e.task);
        else if (e.task)
          data["task_data"] = to_json(*e.task);
      },
      trigger);
  return data;
}

}  // namespace

nlohmann::json sent_payload(const Trigger& trigger, const Notification& n,
                            const CloudEvent& cause) {
  return payload(kNotificationSent, trigger, n, cause);
}

nlohmann::json failed_payload(const Trigger& trigger, const Notification& n,
                              const CloudEvent& cause, std::string_view reason) {
  auto data = payload(kNotificationFailed, trigger, n, cause);
  data["reason"] = reason;
  return data;
}

std::string outcome_purpose(std::string_view event_type, std::string_view channel) {
  return std::string(event_type) + "/" + std::string(channel);
}

}  // namespace tew::notification
