// The recurring service's own configuration, read beside the common one (config.hpp). Every
// variable is documented where it is read; docs/configuration.md lists them.
#pragma once

#include <chrono>
#include <string>

#include "tew/env.hpp"

namespace tew::recurring {

struct Settings {
  std::string task_events_topic;  // consumed; recurring.trigger is published here too
  std::string dead_letter_topic;
  std::string scheduler_binding;          // the cron input binding's name (and route)
  std::chrono::seconds lookahead{86400};  // how far ahead the scheduler spawns
};

// Invalid values are collected in env.errors(), as read_common_config does.
Settings read_settings(Env& env);

}  // namespace tew::recurring
