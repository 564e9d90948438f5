// What the recurring service registers with the Dapr app: one subscription to the task-events
// topic (every event type through one route, dispatched on data.event_type), handled by the
// SeriesHandler, and the cron input binding RECURRING_SCHEDULER_BINDING, handled by the
// SeriesScheduler. Both share the scheduler's index (SpawnSchedule).
#pragma once

#include "recurring/settings.hpp"
#include "tew/service.hpp"

namespace tew::recurring {

inline constexpr std::string_view kTaskEventsRoute = "/events/task-events";

// Loads the time zone database first: without it the service must not start (it would
// DROP every recurring task as having an unknown zone). Throws std::runtime_error then.
void wire_recurring(Wiring& wiring, const Settings& settings);

}  // namespace tew::recurring
