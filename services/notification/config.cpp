#include "notification/config.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tew::notification {

namespace {

using std::chrono::milliseconds;

constexpr std::string_view kChannels[] = {"log", "webhook", "binding"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A rejected value as shown in an error: quoted, escaped and cut short.
std::string shown(std::string_view value) {
  return nlohmann::json(std::string(value.substr(0, 64)))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <class T>
void add_once(std::vector<T>& items, T item) {
  if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(std::move(item));
}

std::string kind_names() {
  std::vector<std::string_view> names;
  for (const auto kind : kAllKinds)
    names.push_back(to_string(kind));
  return fmt::format("{}", fmt::join(names, ","));
}

// An http:// or https:// URL with a host. The value is never echoed: it may carry a token.
bool is_http_url(std::string_view url) {
  const auto l = lower(url.substr(0, 8));
  std::size_t scheme = 0;
  if (l.starts_with("http://")) scheme = 7;
  if (l.starts_with("https://")) scheme = 8;
  if (scheme == 0 || url.size() == scheme) return false;
  if (url[scheme] == '/' || url[scheme] == '?' || url[scheme] == '#') return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b <= 0x20 || b == 0x7f;
  });
}

void read_topics(Env& env, Topics& t) {
  t.task_events = env.text("TASK_EVENTS_TOPIC", t.task_events,
                           "Topic of the task backend's events (task.created, task.updated, "
                           "task.completed, task.deleted); other types on it are ignored");
  t.reminders =
      env.text("REMINDERS_TOPIC", t.reminders, "Topic of the reminder.due events to notify");
  t.notifications = env.text("NOTIFICATIONS_TOPIC", t.notifications,
                             "Topic notification.sent and notification.failed are published on");
  t.dead_letter = env.text("DEAD_LETTER_TOPIC", t.dead_letter,
                           "Dead-letter topic of both subscriptions: where daprd puts events "
                           "answered DROP (invalid, or refused by a channel)");
  // One route per topic: both on one topic would be two default routes for it.
  if (t.reminders == t.task_events)
    env.fail("REMINDERS_TOPIC", "must differ from TASK_EVENTS_TOPIC");
}

std::vector<Kind> read_kinds(Env& env) {
  const auto all = kind_names();
  std::vector<Kind> kinds;
  const auto items =
      env.list("NOTIFY_EVENT_TYPES", all,
               "Comma-separated event types that notify; an event of any other type is "
               "acknowledged and ignored");
  for (const auto& item : items) {
    if (const auto kind = kind_from(lower(item))) {
      add_once(kinds, *kind);
    } else {
      env.fail("NOTIFY_EVENT_TYPES", fmt::format("must list only {}, got {}", all, shown(item)));
      return {kAllKinds[0], kAllKinds[1], kAllKinds[2], kAllKinds[3], kAllKinds[4]};
    }
  }
  if (kinds.empty()) env.fail("NOTIFY_EVENT_TYPES", "must name at least one event type");
  return kinds;
}

std::vector<std::string> read_channels(Env& env) {
  std::vector<std::string> channels;
  const auto items = env.list(
      "NOTIFY_CHANNELS", "log",
      "Comma-separated channels each notification goes out on, in the order listed: log (a "
      "log line), webhook (a POST to WEBHOOK_URL), binding (the Dapr output binding "
      "NOTIFY_BINDING)");
  for (const auto& item : items) {
    const auto name = lower(item);
    if (std::find(std::begin(kChannels), std::end(kChannels), name) == std::end(kChannels)) {
      env.fail("NOTIFY_CHANNELS",
               fmt::format("must list only log, webhook or binding, got {}", shown(item)));
      return {"log"};
    }
    add_once(channels, name);
  }
  if (channels.empty()) env.fail("NOTIFY_CHANNELS", "must name at least one channel");
  return channels;
}

void read_webhook(Env& env, WebhookOptions& w, bool used) {
  w.url = env.secret("WEBHOOK_URL",
                     "URL the webhook channel POSTs each notification to (JSON, with header "
                     "Idempotency-Key: <notification_id>); required with the webhook channel");
  if (used && w.url.empty())
    env.fail("WEBHOOK_URL", "must be set when NOTIFY_CHANNELS includes webhook");
  else if (used && !is_http_url(w.url))
    env.fail("WEBHOOK_URL", "must be an http:// or https:// URL with a host");
  w.timeout = env.millis("WEBHOOK_TIMEOUT_MS", w.timeout, milliseconds{10}, milliseconds{600'000},
                         "Time limit of one webhook call, in milliseconds; a timeout is retried "
                         "through redelivery. Keep it below DEDUP_LEASE_SECONDS");
  w.pool_threads = static_cast<unsigned>(
      env.integer("WEBHOOK_POOL_THREADS", w.pool_threads, 1, 256,
                  "Threads making webhook calls: the most webhook calls in flight at once"));
}

void read_binding(Env& env, BindingOptions& b, bool used) {
  b.name = env.text("NOTIFY_BINDING", "",
                    "Name of the Dapr output binding the binding channel invokes (e.g. an SMTP "
                    "binding); required with the binding channel");
  if (used && b.name.empty())
    env.fail("NOTIFY_BINDING", "must be set when NOTIFY_CHANNELS includes binding");
  b.operation =
      env.text("NOTIFY_BINDING_OPERATION", b.operation, "Operation of the output binding call");
  const std::pair<std::string_view, std::string_view> email[] = {{"NOTIFY_EMAIL_TO", "emailTo"},
                                                                 {"NOTIFY_EMAIL_FROM", "emailFrom"},
                                                                 {"NOTIFY_EMAIL_CC", "emailCC"},
                                                                 {"NOTIFY_EMAIL_BCC", "emailBCC"}};
  for (const auto& [variable, key] : email) {
    const auto value = env.text(
        variable, "",
        fmt::format("Sent as metadata {} of each binding call, for an SMTP binding; when any "
                    "NOTIFY_EMAIL_* is set, the notification's title is sent as subject. "
                    "Unset: not sent",
                    key));
    if (!value.empty()) b.email.emplace(key, value);
  }
}

}  // namespace

bool NotificationConfig::notifies(Kind kind) const {
  return std::find(notify.begin(), notify.end(), kind) != notify.end();
}

bool NotificationConfig::has_channel(std::string_view channel) const {
  return std::find(channels.begin(), channels.end(), channel) != channels.end();
}

NotificationConfig read_config(Env& env) {
  NotificationConfig c;
  read_topics(env, c.topics);
  c.notify = read_kinds(env);
  c.channels = read_channels(env);
  read_webhook(env, c.webhook, c.has_channel("webhook"));
  read_binding(env, c.binding, c.has_channel("binding"));
  return c;
}

}  // namespace tew::notification
