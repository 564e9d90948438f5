// The recurring.trigger event: published on the task-events topic to ask the task backend to
// create the next task of a series. Same envelope as the backend's task events, carrying the
// new task in task_data; its ids are derived from (series id, occurrence start), never random.
#pragma once

#include <string_view>

#include "recurring/decide.hpp"
#include "tew/cloud_event.hpp"

namespace tew::recurring {

inline constexpr std::string_view kTriggerType = "recurring.trigger";

// `series` has already advanced to `spawn`; `cause` is the completion that spawned it (its
// timestamp becomes the event's time, so a re-run builds the identical event).
// metadata.trigger = "completion".
CloudEvent trigger_event(const Series& series, const Spawn& spawn, const TaskEvent& cause,
                         std::string_view source);

// The same, spawned by the scheduler at `at` (the first attempt at the firing, stable across
// retries): metadata.trigger = "schedule", and metadata.skipped_occurrences when the spawn
// passed over occurrences (spawn.skipped); no completed_task_id.
CloudEvent scheduled_trigger_event(const Series& series, const Spawn& spawn, Timestamp at,
                                   std::string_view source);

}  // namespace tew::recurring
