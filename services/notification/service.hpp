// The notification service assembled: its configuration, channels, delivery records and the
// two subscriptions (TASK_EVENTS_TOPIC and REMINDERS_TOPIC, each with DEAD_LETTER_TOPIC),
// registered on the DaprApp that run_service built.
#pragma once

#include <functional>
#include <memory>

#include "notification/config.hpp"
#include "notification/http_delivery.hpp"
#include "tew/service.hpp"

namespace tew::notification {

inline constexpr std::string_view kTaskEventsRoute = "/events/task-events";
inline constexpr std::string_view kRemindersRoute = "/events/reminders";

// Registers the subscriptions on w.app. The webhook channel posts through `http` (unused
// unless configured). Delivery records go to w.config.state_store through w.sidecar, whatever
// the dedup backend. What this creates lives as long as the app's handlers.
void register_handlers(Wiring& w, const NotificationConfig& config,
                       std::shared_ptr<HttpDelivery> http);

// run_service's Configure for tew-notification: reads the configuration, and wires with
// CurlHttpDelivery.
std::function<void(Wiring&)> configure(Env& env);

}  // namespace tew::notification
