// The recurring-scheduler cron binding: each tick fires the series whose next occurrence has
// entered the look-ahead window (SpawnSchedule), spawns it (decide_scheduled) through the same
// series record, ETag and outbox as a completion, and lists the series again for the
// occurrence after. It also publishes the pending trigger of any series it fires, which is how
// a trigger whose event daprd gave up on gets out. The binding fires on every replica; each
// spawn still happens once.
#pragma once

#include <string>

#include "recurring/outbox.hpp"
#include "recurring/spawn_schedule.hpp"
#include "tew/log.hpp"
#include "tew/metrics.hpp"
#include "tew/outcome.hpp"

namespace tew::recurring {

struct SchedulerOptions {
  std::string pubsub;       // PUBSUB_NAME
  std::string topic;        // TASK_EVENTS_TOPIC: where recurring.trigger is published
  std::string state_store;  // STATE_STORE
  std::string source;       // EVENT_SOURCE: the `source` of the triggers
};

// Counted in tew_schedule_total{schedule="recurring"}: spawned, late (spawned after the
// occurrence began), skipped (occurrences passed over), unreadable (a broken series or pending
// trigger skipped), recovered (a pending trigger published that its own spawn did not).
inline constexpr std::string_view kScheduleName = "recurring";

class SeriesScheduler {
 public:
  SeriesScheduler(Sidecar& sidecar, Metrics& metrics, SpawnSchedule& schedule,
                  SchedulerOptions options);

  // One cron tick: SUCCESS when everything due is settled; RETRY (503) when something could
  // not be finished: the next tick picks it up. A tick that comes while this replica's previous
  // one still runs returns at once.
  asio::awaitable<Outcome> on_tick();
  // The tick itself: what it did, for on_tick's answer and log (and for tests).
  asio::awaitable<TickReport> tick();

 private:
  // The firing of one series: publish a pending trigger, spawn if due, list it again.
  asio::awaitable<Result<void>> fire(const DueFiring& firing);
  // A firing whose series record or pending trigger cannot be read: logged, counted, done.
  Result<void> skipped(const LogFields& where, const Error& error);

  Metrics& metrics_;
  SpawnSchedule& schedule_;
  SchedulerOptions options_;
  SeriesStore store_;
  TriggerOutbox outbox_;
  bool ticking_ = false;  // the io_context runs on one thread
};

}  // namespace tew::recurring
