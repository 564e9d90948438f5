// The task-events handler of the recurring service: finds the series of a task event, decides
// (decide.hpp), writes the series with its ETag and publishes the recurring.trigger it spawned.
// Every step is safe to repeat, so a failure anywhere is answered RETRY and the redelivery
// finishes the job.
#pragma once

#include <string>

#include "recurring/series_store.hpp"
#include "tew/dapr_app.hpp"

namespace tew::recurring {

struct HandlerOptions {
  std::string pubsub;       // PUBSUB_NAME
  std::string topic;        // TASK_EVENTS_TOPIC: where recurring.trigger is published
  std::string state_store;  // STATE_STORE
};

// Rounds of read-decide-write one event may take when other writers keep winning the ETag
// race (each round also flushes a pending trigger); then RETRY.
inline constexpr int kMaxSeriesRounds = 8;

class SeriesHandler {
 public:
  SeriesHandler(Sidecar& sidecar, HandlerOptions options);

  asio::awaitable<Outcome> handle(const RecurringInput& input, const EventContext& ctx);

 private:
  asio::awaitable<Outcome> handle_task(const SeriesEvent& event, const EventContext& ctx);
  // Links, publishes and clears the trigger a write left in the series (the outbox).
  asio::awaitable<Result<void>> flush(const StoredSeries& stored, const EventContext& ctx);

  Sidecar& sidecar_;
  HandlerOptions options_;
  SeriesStore store_;
};

}  // namespace tew::recurring
