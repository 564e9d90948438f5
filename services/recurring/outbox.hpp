// The outbox of recurring.trigger events: a spawn writes its trigger into the series record
// (pending_trigger) together with the advance, and the outbox publishes it from there and
// clears it. A crash or a failed publish in between leaves it in the record, so whoever reads
// the series next (an event of the series, a scheduler firing) publishes it: never lost, and
// republished byte-identical, since it is stored, not rebuilt. A failed publish is answered
// RETRY and the redelivery flushes it; the handler lists the series in the scheduler's index
// first (SpawnSchedule::list_pending), so a tick flushes it should daprd give up on the event.
#pragma once

#include <string>
#include <string_view>

#include "recurring/series_store.hpp"

namespace tew::recurring {

struct TriggerTarget {
  std::string pubsub;  // PUBSUB_NAME
  std::string topic;   // TASK_EVENTS_TOPIC
};

class TriggerOutbox {
 public:
  TriggerOutbox(Sidecar& sidecar, SeriesStore& store, TriggerTarget target);

  // Links the new task to its series, publishes the pending trigger of `stored` (which must
  // have one) with `traceparent` ("" for none), and clears it with the ETag it was read with.
  // A conflict on clearing means someone else got there first: read again. An unreadable
  // trigger is an error about the record (is_broken_record).
  asio::awaitable<Result<void>> flush(const StoredSeries& stored, std::string_view traceparent);

 private:
  Sidecar& sidecar_;
  SeriesStore& store_;
  TriggerTarget target_;
};

}  // namespace tew::recurring
