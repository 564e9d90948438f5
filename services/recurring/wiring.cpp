#include "recurring/wiring.hpp"

#include <memory>

#include "recurring/handler.hpp"
#include "recurring/local_time.hpp"
#include "recurring/scheduler.hpp"

namespace tew::recurring {

namespace {

// The service's parts, alive as long as the app's handlers that share them.
struct RecurringService {
  RecurringService(Wiring& w, const Settings& settings)
      : schedule(w.sidecar, w.clock,
                 {w.config.state_store, w.config.app_id + "|series-schedule|", settings.lookahead}),
        handler(w.sidecar, {w.config.pubsub_name, settings.task_events_topic, w.config.state_store},
                schedule),
        scheduler(w.sidecar, w.metrics, schedule,
                  {w.config.pubsub_name, settings.task_events_topic, w.config.state_store,
                   w.config.event_source}) {}

  SpawnSchedule schedule;
  SeriesHandler handler;
  SeriesScheduler scheduler;
};

}  // namespace

void wire_recurring(Wiring& w, const Settings& settings) {
  load_time_zones();
  auto service = std::make_shared<RecurringService>(w, settings);
  TopicSubscription spec;
  spec.pubsub = w.config.pubsub_name;
  spec.topic = settings.task_events_topic;
  spec.route = std::string(kTaskEventsRoute);
  spec.dead_letter_topic = settings.dead_letter_topic;
  w.app.on_topic<RecurringInput>(
      std::move(spec), [](CloudEvent&& event) { return parse_recurring_input(std::move(event)); },
      [service](const RecurringInput& input, const EventContext& ctx) {
        return service->handler.handle(input, ctx);
      });
  w.app.on_binding({settings.scheduler_binding, ""},
                   [service](const BindingCall&) { return service->scheduler.on_tick(); });
}

}  // namespace tew::recurring
