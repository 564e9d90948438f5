#include "recurring/settings.hpp"

namespace tew::recurring {

Settings read_settings(Env& env) {
  using std::chrono::seconds;
  Settings s;
  s.task_events_topic = env.text(
      "TASK_EVENTS_TOPIC", "task-events",
      "Topic of the task events consumed (on PUBSUB_NAME); the recurring.trigger events that "
      "ask for the next task of a series are published to it too");
  s.dead_letter_topic = env.text(
      "DEAD_LETTER_TOPIC", "recurring-dead-letters",
      "Topic daprd sends the task events to that were DROPped (invalid) or ran out of retries");
  s.scheduler_binding =
      env.text("RECURRING_SCHEDULER_BINDING", "recurring-scheduler",
               "Name of the Dapr cron input binding whose calls (POST /<name>) spawn the next "
               "task of each series marked spawn_on_schedule once it enters the look-ahead "
               "window, and publish any next task whose publish failed and was left to it");
  s.lookahead = env.seconds(
      "RECURRING_LOOKAHEAD_SECONDS", seconds(86400), seconds(0), seconds(366 * 86400),
      "How long before its start the scheduler spawns the next occurrence of a series marked "
      "spawn_on_schedule (mode due), in seconds. A change applies to each series from its next "
      "event or firing on");
  return s;
}

}  // namespace tew::recurring
