// The library's pipeline alone, for scripts/bench: a service on tew::run_service whose handler of
// task-events does nothing but accept the validated task event. It does what the SDK peers do
// (parse, dedup by id, answer) plus what every service of ours adds before its handler (CloudEvent
// and task-event validation, claim and complete, metrics, logging), so the gap between it and a
// service is that service's own work.
#include "tew/service.hpp"
#include "tew/task_event.hpp"

int main(int argc, char** argv) {
  const tew::ServiceInfo info{"tew-bench-pipeline-app", "the event pipeline with an empty handler",
                              8098};
  return tew::run_service(info, argc, argv, [](tew::Env&) {
    return [](tew::Wiring& w) {
      const tew::TopicSubscription spec{w.config.pubsub_name,
                                        "task-events",
                                        "/events/task-events",
                                        std::nullopt,
                                        "pipeline-dead-letters",
                                        {},
                                        {}};
      w.app.on_topic<tew::TaskEvent>(
          spec,
          [](tew::CloudEvent&& e) -> tew::Result<tew::TaskEvent> {
            auto payload = std::move(e).payload_json();
            if (!payload) return payload.error();
            return tew::parse_task_event(std::move(*payload));
          },
          [](const tew::TaskEvent&, const tew::EventContext&)
              -> tew::asio::awaitable<tew::Outcome> { co_return tew::Outcome::success(); });
    };
  });
}
