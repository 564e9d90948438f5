// The notification service's own configuration: its topics, which event types notify, the
// channels notifications go out on and their settings. Read beside the common variables.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "notification/notification.hpp"
#include "tew/env.hpp"

namespace tew::notification {

inline constexpr std::string_view kServiceName = "notification";

struct Topics {
  std::string task_events = "task-events";
  std::string reminders = "reminders";
  std::string notifications = "notifications";
  std::string dead_letter = "notification-dead-letters";
};

struct WebhookOptions {
  std::string url;  // http:// or https://; may carry credentials, so never logged
  std::chrono::milliseconds timeout{5000};
  unsigned pool_threads = 4;
};

struct BindingOptions {
  std::string name;  // the output binding component, e.g. an SMTP binding
  std::string operation = "create";
  // The email fields configured (emailTo, emailFrom, emailCC, emailBCC), sent as the binding
  // call's metadata together with `subject` = the notification's title. Empty: no metadata.
  std::map<std::string, std::string> email;
};

struct NotificationConfig {
  Topics topics;
  std::vector<Kind> notify;           // event types that notify, in the order given
  std::vector<std::string> channels;  // "log" | "webhook" | "binding", in delivery order
  WebhookOptions webhook;             // used when channels holds "webhook"
  BindingOptions binding;             // used when channels holds "binding"

  bool notifies(Kind kind) const;
  bool has_channel(std::string_view channel) const;
};

// Invalid values are collected in env.errors(), each naming its variable.
NotificationConfig read_config(Env& env);

}  // namespace tew::notification
