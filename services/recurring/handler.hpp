// The task-events handler of the recurring service: finds the series of a task event, decides
// (decide.hpp), writes the series with its ETag, publishes the recurring.trigger it spawned
// (outbox.hpp) and keeps the scheduler's index in step (spawn_schedule.hpp). Every step is
// safe to repeat, so a failure anywhere is answered RETRY and the redelivery finishes the job; a
// trigger it could not publish is listed in that index first, so the scheduler's tick publishes
// it should daprd give up on the event.
#pragma once

#include <string>

#include "recurring/outbox.hpp"
#include "recurring/series_store.hpp"
#include "recurring/spawn_schedule.hpp"
#include "tew/dapr_app.hpp"

namespace tew::recurring {

struct HandlerOptions {
  std::string pubsub;       // PUBSUB_NAME
  std::string topic;        // TASK_EVENTS_TOPIC: where recurring.trigger is published
  std::string state_store;  // STATE_STORE
};

class SeriesHandler {
 public:
  SeriesHandler(Sidecar& sidecar, HandlerOptions options, SpawnSchedule& schedule);

  asio::awaitable<Outcome> handle(const RecurringInput& input, const EventContext& ctx);

 private:
  asio::awaitable<Outcome> handle_task(const SeriesEvent& event, const EventContext& ctx);
  // RETRY for a pending trigger that could not be published, once the scheduler's index lists
  // it (so the tick publishes it if this event is never delivered again); RETRY all the same
  // if the listing fails too.
  asio::awaitable<Outcome> unpublished(const StoredSeries& found, const Error& failure);
  // `out`, once the scheduler's index follows `series` (when it concerns the schedule).
  asio::awaitable<Outcome> settled(const std::string& series_id, std::optional<Series> series,
                                   bool scheduled, Outcome out);

  HandlerOptions options_;
  SeriesStore store_;
  TriggerOutbox outbox_;
  SpawnSchedule& schedule_;
};

}  // namespace tew::recurring
