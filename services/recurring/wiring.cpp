#include "recurring/wiring.hpp"

#include <memory>

#include "recurring/handler.hpp"
#include "recurring/local_time.hpp"

namespace tew::recurring {

void wire_recurring(Wiring& w, const Settings& settings) {
  load_time_zones();
  auto handler = std::make_shared<SeriesHandler>(
      w.sidecar,
      HandlerOptions{w.config.pubsub_name, settings.task_events_topic, w.config.state_store});
  TopicSubscription spec;
  spec.pubsub = w.config.pubsub_name;
  spec.topic = settings.task_events_topic;
  spec.route = std::string(kTaskEventsRoute);
  spec.dead_letter_topic = settings.dead_letter_topic;
  w.app.on_topic<RecurringInput>(std::move(spec), parse_recurring_input,
                                 [handler](const RecurringInput& input, const EventContext& ctx) {
                                   return handler->handle(input, ctx);
                                 });
}

}  // namespace tew::recurring
