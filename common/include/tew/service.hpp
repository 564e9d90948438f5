// The one place a service's main() hands over to: command line (--help, --version),
// configuration (exit 2 naming the variable), logging, the io_context, sidecar client, dedup
// store, DaprApp, HTTP server, signals and graceful shutdown. main() only wires.
#pragma once

#include <functional>
#include <string_view>

#include "tew/clock.hpp"
#include "tew/config.hpp"
#include "tew/dapr_app.hpp"
#include "tew/env.hpp"

namespace tew {

struct ServiceInfo {
  std::string_view name;     // binary and default app id, e.g. "notification"
  std::string_view summary;  // one line for --help
  std::uint16_t default_port;
};

// What a service's wiring gets: everything is built and configured, nothing runs yet.
struct Wiring {
  const CommonConfig& config;
  DaprApp& app;
  Sidecar& sidecar;
  DedupStore& dedup;
  Metrics& metrics;
  const Clock& clock;
};

// Reads the service's own variables from `env` (errors collected there) and returns the
// function that registers its handlers.
using Configure = std::function<std::function<void(Wiring&)>(Env& env)>;

int run_service(const ServiceInfo& info, int argc, char** argv, const Configure& configure);

}  // namespace tew
