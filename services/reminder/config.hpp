// The reminder service's own configuration, read beside the common one: its topics, its cron
// binding, how reminder times are derived, and the limits of its schedule.
#pragma once

#include <chrono>
#include <string>

#include "tew/due_index.hpp"
#include "tew/env.hpp"

namespace reminder {

struct ReminderConfig {
  std::string task_events_topic;
  std::string reminders_topic;
  std::string dead_letter_topic;
  std::string tick_binding;
  std::chrono::seconds lead_time{900};      // before due_date, when remind_at is absent
  std::chrono::seconds late_after{60};      // fired later than this after remind_at: late
  std::chrono::seconds max_lateness{3600};  // later than this: recorded missed
  std::chrono::seconds bucket_width{60};
  int max_buckets_per_tick = 60;
  int max_firings_per_tick = 500;
  std::chrono::seconds claim_lease{60};
  std::chrono::seconds retention{30 * 86400};
};

// Invalid values are collected in env.errors(), as read_common_config does.
ReminderConfig read_reminder_config(tew::Env& env);

// The schedule's options for this config; keys start with "<app_id>|reminders|".
tew::DueIndexOptions schedule_options(const ReminderConfig& config, const std::string& store,
                                      const std::string& app_id);

}  // namespace reminder
