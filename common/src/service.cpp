#include "tew/service.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string_view>

#include "tew/curl_sidecar.hpp"
#include "tew/http_server.hpp"
#include "tew/memory_dedup_store.hpp"
#include "tew/metered_sidecar.hpp"
#include "tew/sidecar_dedup_store.hpp"
#include "tew/version.hpp"

namespace tew {

namespace {

void print_help(const ServiceInfo& info, const Configure& configure) {
  // The same reads that configure the service document it: read from an empty environment.
  Env docs([](std::string_view) -> std::optional<std::string> { return std::nullopt; });
  read_common_config(docs, info.name, info.default_port);
  configure(docs);
  fmt::print("{} {} — {}\n\nUsage: {} [--help] [--version]\n\n", info.name, kVersion, info.summary,
             info.name);
  fmt::print("Configured by environment variables (an unset or empty one takes its default):\n");
  for (const auto& v : docs.documented())
    fmt::print("  {:<22} {}{}\n", v.name, v.help,
               v.default_value.empty() ? "" : fmt::format(" [default: {}]", v.default_value));
}

// The sidecar URL as logged: credentials in it (http://user:password@host) become "***".
std::string without_credentials(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto authority = url.substr(scheme + 3, url.find('/', scheme + 3) - (scheme + 3));
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, scheme + 3)) + "***" + std::string(url.substr(scheme + 3 + at));
}

// The in-memory store's bound, watched from outside (scripts/load checks it under load): read at
// each scrape, nothing is counted per event.
void expose_dedup_metrics(const MemoryDedupStore& store, Metrics& metrics) {
  metrics.add_gauge("tew_dedup_records",
                    "Records held by the in-memory dedup store (claimed and done, expired ones "
                    "not purged yet); never more than tew_dedup_capacity.",
                    [&store] { return static_cast<double>(store.size()); });
  metrics.add_gauge("tew_dedup_capacity", "DEDUP_CAPACITY: the in-memory dedup store's bound.",
                    [&store] { return static_cast<double>(store.capacity()); });
  metrics.add_counter("tew_dedup_evictions_total",
                      "Records the in-memory dedup store dropped for room before they expired; "
                      "a later duplicate of one runs its handler again.",
                      [&store] { return static_cast<double>(store.evictions()); });
}

// Runs until SIGTERM/SIGINT; then stops accepting and lets requests in flight finish.
int serve(const ServiceInfo& info, const CommonConfig& config,
          const std::function<void(Wiring&)>& wire) {
  // One thread runs the io_context: handling an event is a few microseconds of CPU, so one
  // thread keeps the pipeline lock-free and ordered; sidecar calls run on it too, through
  // libcurl's multi interface, and never block it.
  asio::io_context io{1};
  SystemClock clock;
  Metrics metrics;
  CurlSidecar curl(io.get_executor(), config.sidecar);
  MeteredSidecar sidecar(curl, metrics);
  std::unique_ptr<DedupStore> dedup;
  if (config.dedup_backend == DedupBackend::memory) {
    auto memory = std::make_unique<MemoryDedupStore>(clock, config.dedup, config.dedup_capacity);
    expose_dedup_metrics(*memory, metrics);
    dedup = std::move(memory);
  } else {
    dedup = std::make_unique<SidecarDedupStore>(sidecar, clock, config.state_store, config.dedup);
  }

  DaprApp app({*dedup, sidecar, metrics, clock},
              {config.app_id, config.event_source, config.app_api_token,
               config.subscribe_mode == SubscribeMode::programmatic});
  Wiring wiring{config, app, sidecar, *dedup, metrics, clock};
  wire(wiring);

  std::unique_ptr<HttpServer> server;
  try {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(config.app_host),
                                           config.app_port);
    server = std::make_unique<HttpServer>(io, endpoint, config.limits,
                                          [&app](HttpRequest& req) { return app.handle(req); });
  } catch (const std::exception& e) {
    log_error("cannot listen", {{"address", fmt::format("{}:{}", config.app_host, config.app_port)},
                                {"error", e.what()}});
    return 1;
  }
  server->start();
  app.mark_started();
  // Every line already carries "service" (the app id, which APP_ID may change): the program
  // is named under a key of its own.
  log_info(
      "listening",
      {{"program", std::string(info.name)},
       {"version", kVersion},
       {"address", fmt::format("{}:{}", config.app_host, server->local_endpoint().port())},
       {"sidecar", without_credentials(config.sidecar.base_url)},
       {"dedup", config.dedup_backend == DedupBackend::memory ? "memory" : "state"},
       {"subscriptions",
        config.subscribe_mode == SubscribeMode::programmatic ? "programmatic" : "declarative"}});

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    log_info("stopping", {{"signal", std::to_string(signo)}});
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await server->stop(config.shutdown_grace);
          io.stop();
        },
        asio::detached);
  });
  io.run();
  curl.stop();
  log_info("stopped");
  return 0;
}

}  // namespace

int run_service(const ServiceInfo& info, int argc, char** argv, const Configure& configure) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_help(info, configure);
      return 0;
    }
    if (arg == "--version") {
      fmt::print("{} {}\n", info.name, kVersion);
      return 0;
    }
    fmt::print(stderr, "{}: unknown argument '{}' (try --help)\n", info.name, arg);
    return 2;
  }

  Env env;
  const CommonConfig config = read_common_config(env, info.name, info.default_port);
  const auto wire = configure(env);
  if (!env.errors().empty()) {
    for (const auto& e : env.errors())
      fmt::print(stderr, "{}: invalid configuration: {}\n", info.name, e.describe());
    return 2;
  }
  init_logging(config.log);
  try {
    return serve(info, config, wire);
  } catch (const std::exception& e) {
    log_error("fatal", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace tew
