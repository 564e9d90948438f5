// The reminder service: task events update the durable reminder schedule (tew::DueIndex),
// cron ticks fire what is due as reminder.due. Every replica runs both; the schedule lives in
// the state store, so any replica may die at any time.
#pragma once

#include <memory>

#include "reminder/config.hpp"
#include "reminder/reminder_due.hpp"
#include "reminder/task_event_input.hpp"
#include "tew/dapr_app.hpp"
#include "tew/due_index.hpp"
#include "tew/metrics.hpp"
#include "tew/service.hpp"

namespace reminder {

struct ServiceDeps {
  tew::Sidecar& sidecar;
  tew::Metrics& metrics;
  const tew::Clock& clock;
};

class ReminderService {
 public:
  ReminderService(ServiceDeps deps, ReminderConfig config, tew::DueIndexOptions schedule,
                  ReminderTarget target);

  // SUCCESS once the schedule holds the event's outcome (or the type is ignored); RETRY when
  // the state store failed, so daprd redelivers.
  tew::asio::awaitable<tew::Outcome> on_task_event(const TaskEventInput& input,
                                                   const tew::EventContext& ctx);
  // One cron tick. RETRY (HTTP 503) when something could not be finished: the next tick picks
  // it up. A tick that comes while this replica's previous one still runs returns at once.
  tew::asio::awaitable<tew::Outcome> on_tick();

  tew::DueIndex& schedule() { return schedule_; }

 private:
  tew::asio::awaitable<tew::Result<void>> publish_due(const tew::DueFiring& firing);

  ServiceDeps deps_;
  const ReminderConfig config_;
  const ReminderTarget target_;
  tew::DueIndex schedule_;
  bool ticking_ = false;  // the io_context runs on one thread
};

// Subscribes to TASK_EVENTS_TOPIC on route /task-events (dead letters to DEAD_LETTER_TOPIC)
// and registers the cron binding REMINDER_TICK_BINDING. The service lives as long as the app.
void register_reminder_service(tew::Wiring& wiring, const ReminderConfig& config);

}  // namespace reminder
