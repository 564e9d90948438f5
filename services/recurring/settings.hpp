// The recurring service's own configuration, read beside the common one (config.hpp). Every
// variable is documented where it is read; docs/configuration.md lists them.
#pragma once

#include <string>

#include "tew/env.hpp"

namespace tew::recurring {

struct Settings {
  std::string task_events_topic;  // consumed; recurring.trigger is published here too
  std::string dead_letter_topic;
};

Settings read_settings(Env& env);

}  // namespace tew::recurring
