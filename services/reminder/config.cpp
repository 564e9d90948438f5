#include "reminder/config.hpp"

namespace reminder {

using std::chrono::seconds;

namespace {

constexpr seconds kDay{86400};

}  // namespace

ReminderConfig read_reminder_config(tew::Env& env) {
  ReminderConfig c;
  c.task_events_topic =
      env.text("TASK_EVENTS_TOPIC", "task-events",
               "Topic of the task backend's events (task.created, task.updated, task.completed, "
               "task.deleted); other event types on it are acknowledged and ignored");
  c.reminders_topic =
      env.text("REMINDERS_TOPIC", "reminders", "Topic reminder.due events are published to");
  c.dead_letter_topic = env.text("DEAD_LETTER_TOPIC", "reminder-dead-letters",
                                 "Dead-letter topic of the subscription: where daprd sends the "
                                 "events this service DROPs as invalid");
  c.tick_binding = env.text("REMINDER_TICK_BINDING", "reminder-tick",
                            "Name of the Dapr cron input binding whose calls (POST /<name>) fire "
                            "the reminders that are due; a reminder fires at the first tick "
                            "after its time");
  c.lead_time = env.seconds("REMINDER_LEAD_TIME_SECONDS", seconds(900), seconds(0), 30 * kDay,
                            "For a task without remind_at: remind this long before its "
                            "due_date, in seconds");
  c.late_after = env.seconds("REMINDER_LATE_AFTER_SECONDS", seconds(60), seconds(0), kDay,
                             "A reminder fired more than this after its time (after downtime, "
                             "say) is published with late: true, in seconds");
  c.max_lateness =
      env.seconds("REMINDER_MAX_LATENESS_SECONDS", seconds(3600), seconds(60), 365 * kDay,
                  "A reminder that could not fire within this time after its time "
                  "is not published but recorded as missed (logged, counted, state "
                  "missed), in seconds");
  if (c.late_after > c.max_lateness)
    env.fail("REMINDER_LATE_AFTER_SECONDS", "must not exceed REMINDER_MAX_LATENESS_SECONDS");
  c.bucket_width = env.seconds("REMINDER_BUCKET_SECONDS", seconds(60), seconds(1), seconds(3600),
                               "Width of a time bucket of the reminder schedule, in seconds. "
                               "Fixed when the schedule is first created: a later change has no "
                               "effect");
  c.max_buckets_per_tick = static_cast<int>(
      env.integer("REMINDER_TICK_MAX_BUCKETS", 60, 1, 100000,
                  "Time buckets one tick walks at most; after downtime the following ticks "
                  "catch up"));
  c.max_firings_per_tick = static_cast<int>(
      env.integer("REMINDER_TICK_MAX_FIRINGS", 500, 1, 100000,
                  "Reminders one tick publishes (or records missed) at most; the rest follow at "
                  "the next ticks"));
  c.claim_lease =
      env.seconds("REMINDER_CLAIM_LEASE_SECONDS", seconds(60), seconds(5), seconds(3600),
                  "How long a replica's claim on firing a reminder keeps the others "
                  "off; a claim not finished by then (its replica died) is taken "
                  "over, in seconds");
  c.retention = env.seconds("REMINDER_RETENTION_SECONDS", 30 * kDay, seconds(3600), 365 * kDay,
                            "How long the record of a fired, cancelled or missed reminder is "
                            "kept in the state store, in seconds; it keeps late, out-of-order "
                            "events from scheduling it again");
  return c;
}

tew::DueIndexOptions schedule_options(const ReminderConfig& config, const std::string& store,
                                      const std::string& app_id) {
  tew::DueIndexOptions o;
  o.store = store;
  o.key_prefix = app_id + "|reminders|";
  o.bucket_width = config.bucket_width;
  o.max_buckets_per_tick = config.max_buckets_per_tick;
  o.max_firings_per_tick = config.max_firings_per_tick;
  o.claim_lease = config.claim_lease;
  o.max_lateness = config.max_lateness;
  o.finished_ttl = config.retention;
  return o;
}

}  // namespace reminder
