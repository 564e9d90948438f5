// What the reminder service reads from a delivery on the task-events topic: a task event to
// act on, or the type of an event it does not handle (acknowledged, ignored). Routing is by
// the payload's event_type, since the backend's CloudEvent type is daprd's default.
#pragma once

#include <optional>
#include <string>

#include "tew/cloud_event.hpp"
#include "tew/task_event.hpp"

namespace reminder {

struct TaskEventInput {
  std::optional<tew::TaskEvent> event;  // set for task.created|updated|completed|deleted
  std::string ignored_type;             // otherwise: the event_type, e.g. "recurring.trigger"
};

// An error (the event is DROPped with it as the reason) for a payload that is not JSON, not an
// object, has no string event_type, or is a task event that fails validation.
// The rvalue form takes the event's data (no copy) and leaves its attributes as they are.
tew::Result<TaskEventInput> read_task_event_input(tew::CloudEvent&& event);
tew::Result<TaskEventInput> read_task_event_input(const tew::CloudEvent& event);

}  // namespace reminder
