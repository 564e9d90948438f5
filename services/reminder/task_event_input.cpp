#include "reminder/task_event_input.hpp"

namespace reminder {

tew::Result<TaskEventInput> read_task_event_input(const tew::CloudEvent& event) {
  return read_task_event_input(tew::CloudEvent(event));
}

tew::Result<TaskEventInput> read_task_event_input(tew::CloudEvent&& event) {
  auto payload = std::move(event).payload_json();
  if (!payload) return payload.error();
  if (payload->is_object()) {
    const auto type = payload->find("event_type");
    if (type != payload->end() && type->is_string() &&
        !tew::task_event_type_from(type->get<std::string>()))
      return TaskEventInput{std::nullopt, type->get<std::string>()};
  }
  // Either a task event, or a payload whose faults parse_task_event names.
  auto task_event = tew::parse_task_event(std::move(*payload));
  if (!task_event) return task_event.error();
  return TaskEventInput{std::move(*task_event), {}};
}

}  // namespace reminder
