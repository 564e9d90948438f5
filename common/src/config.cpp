#include "tew/config.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <optional>

namespace tew {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != prefix[i]) return false;  // prefix is lower-case
  }
  return true;
}

// An http(s) URL with a host and no query or fragment, without trailing slashes: the base
// every sidecar path is appended to.
std::optional<std::string> sidecar_base_url(std::string_view url) {
  std::size_t scheme = 0;
  if (starts_with_nocase(url, "http://")) scheme = 7;
  if (starts_with_nocase(url, "https://")) scheme = 8;
  if (scheme == 0) return std::nullopt;
  for (const unsigned char c : url)
    if (c <= 0x20 || c == 0x7f || c == '?' || c == '#') return std::nullopt;
  while (url.size() > scheme && url.back() == '/')
    url.remove_suffix(1);
  const auto rest = url.substr(scheme);
  if (rest.empty() || rest.front() == '/') return std::nullopt;  // no host
  return std::string(url);
}

void read_server(Env& env, CommonConfig& c, std::string_view service_name,
                 std::uint16_t default_port) {
  c.app_id = env.text("APP_ID", service_name,
                      "Dapr app id of this service (daprd --app-id); names it in dedup keys "
                      "and logs");
  c.app_host = env.text("APP_HOST", "127.0.0.1",
                        "IP address the HTTP server listens on, for daprd and probes; 0.0.0.0 "
                        "(or ::) listens on every interface, as needed in Kubernetes");
  boost::system::error_code ec;
  boost::asio::ip::make_address(c.app_host, ec);
  if (ec)
    env.fail("APP_HOST",
             "must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::), not a host name");
  c.app_port = env.port("APP_PORT", default_port,
                        "TCP port the HTTP server listens on, given to daprd as --app-port");
  c.app_api_token = env.secret("APP_API_TOKEN",
                               "Token daprd must send in the dapr-api-token header of its calls "
                               "to this app. Unset: calls are not checked");
}

void read_sidecar(Env& env, CommonConfig& c) {
  const auto endpoint = env.text("DAPR_HTTP_ENDPOINT", "",
                                 "Base URL of daprd's HTTP API, http:// or https://, e.g. "
                                 "http://127.0.0.1:3500; takes precedence over DAPR_HTTP_PORT. "
                                 "Unset: http://127.0.0.1:<DAPR_HTTP_PORT>");
  const auto port = env.port("DAPR_HTTP_PORT", 3500,
                             "daprd's HTTP port on 127.0.0.1, used when DAPR_HTTP_ENDPOINT is "
                             "unset");
  c.sidecar.base_url = fmt::format("http://127.0.0.1:{}", port);
  if (!endpoint.empty()) {
    // The value is not echoed: a URL may carry credentials (http://user:password@host).
    if (auto url = sidecar_base_url(endpoint))
      c.sidecar.base_url = std::move(*url);
    else
      env.fail("DAPR_HTTP_ENDPOINT",
               "must be an http:// or https:// URL with a host and no query or fragment, "
               "e.g. http://127.0.0.1:3500");
  }
  c.sidecar.api_token = env.secret("DAPR_API_TOKEN",
                                   "Token sent to daprd in the dapr-api-token header, when "
                                   "daprd requires one. Unset: not sent");
  c.sidecar.timeout =
      env.millis("SIDECAR_TIMEOUT_MS", milliseconds{5000}, milliseconds{10}, milliseconds{600'000},
                 "Time limit of one attempt of a call to daprd, in milliseconds");
  c.sidecar.max_attempts = static_cast<int>(
      env.integer("SIDECAR_MAX_ATTEMPTS", 4, 1, 20,
                  "Attempts per call to daprd, the first included; a call is retried after a "
                  "connection failure, a timeout or a 5xx answer, with exponential backoff"));
  c.sidecar.max_connections = static_cast<unsigned>(
      env.integer("SIDECAR_MAX_CONNECTIONS", 16, 1, 256,
                  "Connections to daprd open at once: the most calls in flight at once, later "
                  "calls wait for one. Calls run on the event thread through libcurl's multi "
                  "interface and never block it"));
  env.retired("SIDECAR_POOL_THREADS", "SIDECAR_MAX_CONNECTIONS");
}

void read_components(Env& env, CommonConfig& c) {
  c.pubsub_name = env.text("PUBSUB_NAME", "pubsub",
                           "Name of the Dapr pub/sub component (its metadata.name) that events "
                           "are received from and published to");
  c.state_store = env.text("STATE_STORE", "statestore",
                           "Name of the Dapr state store component (its metadata.name), which "
                           "holds dedup records when DEDUP_BACKEND is state");
  c.subscribe_mode =
      env.choice("DAPR_SUBSCRIBE", "programmatic", {"programmatic", "declarative"},
                 "Who declares this service's subscriptions to daprd. programmatic: the app "
                 "answers GET /dapr/subscribe; declarative: the app answers an empty list and "
                 "daprd loads the Subscription files (dapr/subscriptions/), which must then "
                 "match the app's topics and routes") == "declarative"
          ? SubscribeMode::declarative
          : SubscribeMode::programmatic;
  c.event_source = env.text("EVENT_SOURCE", "",
                            "CloudEvents source attribute of the events this service "
                            "publishes. Unset: the app id (APP_ID)");
  if (c.event_source.empty()) c.event_source = c.app_id;
}

spdlog::level::level_enum to_level(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "warn") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  return spdlog::level::info;
}

void read_logging(Env& env, CommonConfig& c) {
  c.log.service = c.app_id;
  c.log.level =
      to_level(env.choice("LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error"},
                          "Least severe level of the lines written to stderr"));
  c.log.format = env.choice("LOG_FORMAT", "json", {"json", "text"},
                            "json: one JSON object per line, for log collectors; text: plain "
                            "lines for reading in a terminal") == "text"
                     ? LogFormat::text
                     : LogFormat::json;
}

void read_http(Env& env, CommonConfig& c) {
  c.limits.max_body_bytes = static_cast<std::size_t>(
      env.integer("MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024,
                  "Largest request body accepted, in bytes; a larger one is answered 413"));
  c.limits.max_header_bytes = static_cast<std::size_t>(
      env.integer("MAX_HEADER_BYTES", 16 * 1024, 1024, 1024 * 1024,
                  "Largest request header block accepted, in bytes; a larger one is answered "
                  "431"));
  c.limits.read_timeout =
      env.millis("READ_TIMEOUT_MS", milliseconds{10'000}, milliseconds{100}, milliseconds{600'000},
                 "Time limit for a whole request to arrive once it has "
                 "begun, in milliseconds; a slower one is cut off");
  c.limits.idle_timeout = env.millis("IDLE_TIMEOUT_MS", milliseconds{60'000}, milliseconds{100},
                                     milliseconds{3'600'000},
                                     "How long a keep-alive connection may wait for its next "
                                     "request before it is closed, in milliseconds");
  c.shutdown_grace =
      env.millis("SHUTDOWN_GRACE_MS", milliseconds{10'000}, milliseconds{0}, milliseconds{600'000},
                 "On SIGTERM or SIGINT, how long requests in flight may finish "
                 "before their connections are closed, in milliseconds; keep it "
                 "below the pod's terminationGracePeriodSeconds");
}

void read_dedup(Env& env, CommonConfig& c) {
  c.dedup_backend =
      env.choice("DEDUP_BACKEND", "state", {"state", "memory"},
                 "Where the ids of handled events are kept. state (safe with any number of "
                 "replicas): in STATE_STORE, shared by every replica and kept across "
                 "restarts; memory: in this process only, for a single replica or tests, so "
                 "a duplicate reaching another replica or arriving after a restart is handled "
                 "again") == "memory"
          ? DedupBackend::memory
          : DedupBackend::state;
  c.dedup_capacity = static_cast<std::size_t>(
      env.integer("DEDUP_CAPACITY", 1'000'000, 1, 100'000'000,
                  "Most event ids the memory backend keeps; when full, the oldest is forgotten "
                  "first"));
  c.dedup.lease = env.seconds("DEDUP_LEASE_SECONDS", seconds{30}, seconds{1}, seconds{3600},
                              "How long a claim keeps other deliveries of an event from "
                              "handling it while it is being handled, in seconds; longer than "
                              "the slowest handling");
  c.dedup.done_ttl =
      env.seconds("DEDUP_TTL_SECONDS", seconds{86'400}, seconds{60}, seconds{31'536'000},
                  "How long the id of a handled event is kept, in seconds; a "
                  "duplicate arriving later is handled again, so make it longer "
                  "than the broker's longest redelivery window and no shorter than "
                  "DEDUP_LEASE_SECONDS");
  if (c.dedup.done_ttl < c.dedup.lease)
    env.fail("DEDUP_TTL_SECONDS", fmt::format("must not be shorter than DEDUP_LEASE_SECONDS ({})",
                                              c.dedup.lease.count()));
}

}  // namespace

CommonConfig read_common_config(Env& env, std::string_view service_name,
                                std::uint16_t default_port) {
  CommonConfig c;
  read_server(env, c, service_name, default_port);
  read_sidecar(env, c);
  read_components(env, c);
  read_logging(env, c);
  read_http(env, c);
  read_dedup(env, c);
  return c;
}

}  // namespace tew
