// The app behind the http_request fuzz target, shared with the seed generator: a DaprApp with
// routes like a service's, its token and the server's limits.
#pragma once

#include <string_view>

#include "tew/dapr_app.hpp"

namespace tew::fuzz {

inline constexpr std::string_view kToken = "fuzz-token";
inline constexpr std::string_view kTaskRoute = "/task-events";    // typed, bulk on
inline constexpr std::string_view kReminderRoute = "/reminders";  // typed reminder.due
inline constexpr std::string_view kOrderRoute = "/orders";        // untyped, publishes its data
inline constexpr std::string_view kBinding = "reminder-tick";     // route /reminder-tick

HttpLimits http_limits();
// Registers the routes; handlers publish through `sidecar`, checking every publish serializes.
void add_routes(DaprApp& app, Sidecar& sidecar);

}  // namespace tew::fuzz
