#include "recurring/settings.hpp"

namespace tew::recurring {

Settings read_settings(Env& env) {
  Settings s;
  s.task_events_topic = env.text(
      "TASK_EVENTS_TOPIC", "task-events",
      "Topic of the task events consumed (on PUBSUB_NAME); the recurring.trigger events that "
      "ask for the next task of a series are published to it too");
  s.dead_letter_topic = env.text(
      "DEAD_LETTER_TOPIC", "recurring-dead-letters",
      "Topic daprd sends the task events to that were DROPped (invalid) or ran out of retries");
  return s;
}

}  // namespace tew::recurring
