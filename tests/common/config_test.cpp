#include "tew/config.hpp"

#include <doctest/doctest.h>

#include <map>

#include "config_doc.hpp"

namespace {

using namespace std::chrono_literals;
using Vars = std::map<std::string, std::string, std::less<>>;

struct Read {
  tew::Env env;
  tew::CommonConfig config;
};

Read read(Vars vars, std::string_view service = "notification", std::uint16_t port = 6001) {
  Read r{tew::Env([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
           const auto it = vars.find(name);
           if (it == vars.end()) return std::nullopt;
           return it->second;
         }),
         {}};
  r.config = tew::read_common_config(r.env, service, port);
  return r;
}

std::vector<std::string> subjects(const tew::Env& env) {
  std::vector<std::string> names;
  for (const auto& e : env.errors())
    names.push_back(e.subject);
  return names;
}

// The common variables as a markdown table: what docs/configuration.md must contain.
std::string configuration_table() {
  const auto r = read({}, "<service>", 1);
  return tew::testing::variables_table(
      r.env.documented(), {{"APP_ID", "the service's name"}, {"APP_PORT", "the service's port"}});
}

}  // namespace

TEST_CASE("every common variable has its default when the environment is empty") {
  const auto [env, c] = read({});
  CHECK(env.errors().empty());
  CHECK(c.app_id == "notification");
  CHECK(c.app_host == "127.0.0.1");
  CHECK(c.app_port == 6001);
  CHECK(c.app_api_token.empty());
  CHECK(c.sidecar.base_url == "http://127.0.0.1:3500");
  CHECK(c.sidecar.api_token.empty());
  CHECK(c.sidecar.timeout == 5000ms);
  CHECK(c.sidecar.max_attempts == 4);
  CHECK(c.sidecar.max_connections == 16);
  CHECK(c.pubsub_name == "pubsub");
  CHECK(c.state_store == "statestore");
  CHECK(c.subscribe_mode == tew::SubscribeMode::programmatic);
  CHECK(c.event_source == "notification");
  CHECK(c.log.service == "notification");
  CHECK(c.log.level == spdlog::level::info);
  CHECK(c.log.format == tew::LogFormat::json);
  CHECK(c.limits.max_body_bytes == 1048576);
  CHECK(c.limits.max_header_bytes == 16384);
  CHECK(c.limits.read_timeout == 10000ms);
  CHECK(c.limits.idle_timeout == 60000ms);
  CHECK(c.shutdown_grace == 10000ms);
  CHECK(c.dedup_backend == tew::DedupBackend::state);
  CHECK(c.dedup_capacity == 1000000);
  CHECK(c.dedup.lease == 30s);
  CHECK(c.dedup.done_ttl == 86400s);
}

TEST_CASE("every common variable is documented, in reading order") {
  const auto [env, c] = read({});
  std::vector<std::string> names;
  for (const auto& v : env.documented())
    names.push_back(v.name);
  CHECK(names == std::vector<std::string>{"APP_ID",
                                          "APP_HOST",
                                          "APP_PORT",
                                          "APP_API_TOKEN",
                                          "DAPR_HTTP_ENDPOINT",
                                          "DAPR_HTTP_PORT",
                                          "DAPR_API_TOKEN",
                                          "SIDECAR_TIMEOUT_MS",
                                          "SIDECAR_MAX_ATTEMPTS",
                                          "SIDECAR_MAX_CONNECTIONS",
                                          "PUBSUB_NAME",
                                          "STATE_STORE",
                                          "DAPR_SUBSCRIBE",
                                          "EVENT_SOURCE",
                                          "LOG_LEVEL",
                                          "LOG_FORMAT",
                                          "MAX_BODY_BYTES",
                                          "MAX_HEADER_BYTES",
                                          "READ_TIMEOUT_MS",
                                          "IDLE_TIMEOUT_MS",
                                          "SHUTDOWN_GRACE_MS",
                                          "DEDUP_BACKEND",
                                          "DEDUP_CAPACITY",
                                          "DEDUP_LEASE_SECONDS",
                                          "DEDUP_TTL_SECONDS"});
  for (const auto& v : env.documented()) {
    CAPTURE(v.name);
    CHECK_FALSE(v.help.empty());
    CHECK(v.secret == (v.name == "APP_API_TOKEN" || v.name == "DAPR_API_TOKEN"));
  }
}

TEST_CASE("every common variable is read into its field") {
  const auto [env, c] = read({{"APP_ID", "notifier"},
                              {"APP_HOST", "0.0.0.0"},
                              {"APP_PORT", "7000"},
                              {"APP_API_TOKEN", "app-token"},
                              {"DAPR_HTTP_PORT", "3600"},
                              {"DAPR_API_TOKEN", "dapr-token"},
                              {"SIDECAR_TIMEOUT_MS", "250"},
                              {"SIDECAR_MAX_ATTEMPTS", "1"},
                              {"SIDECAR_MAX_CONNECTIONS", "16"},
                              {"PUBSUB_NAME", "kafka"},
                              {"STATE_STORE", "redis"},
                              {"EVENT_SOURCE", "urn:notifier"},
                              {"DAPR_SUBSCRIBE", "declarative"},
                              {"LOG_LEVEL", "debug"},
                              {"LOG_FORMAT", "text"},
                              {"MAX_BODY_BYTES", "2048"},
                              {"MAX_HEADER_BYTES", "4096"},
                              {"READ_TIMEOUT_MS", "500"},
                              {"IDLE_TIMEOUT_MS", "1000"},
                              {"SHUTDOWN_GRACE_MS", "0"},
                              {"DEDUP_BACKEND", "memory"},
                              {"DEDUP_CAPACITY", "10"},
                              {"DEDUP_LEASE_SECONDS", "5"},
                              {"DEDUP_TTL_SECONDS", "600"}});
  CHECK(env.errors().empty());
  CHECK(c.app_id == "notifier");
  CHECK(c.app_host == "0.0.0.0");
  CHECK(c.app_port == 7000);
  CHECK(c.app_api_token == "app-token");
  CHECK(c.sidecar.base_url == "http://127.0.0.1:3600");
  CHECK(c.sidecar.api_token == "dapr-token");
  CHECK(c.sidecar.timeout == 250ms);
  CHECK(c.sidecar.max_attempts == 1);
  CHECK(c.sidecar.max_connections == 16);
  CHECK(c.pubsub_name == "kafka");
  CHECK(c.state_store == "redis");
  CHECK(c.subscribe_mode == tew::SubscribeMode::declarative);
  CHECK(c.event_source == "urn:notifier");
  CHECK(c.log.service == "notifier");
  CHECK(c.log.level == spdlog::level::debug);
  CHECK(c.log.format == tew::LogFormat::text);
  CHECK(c.limits.max_body_bytes == 2048);
  CHECK(c.limits.max_header_bytes == 4096);
  CHECK(c.limits.read_timeout == 500ms);
  CHECK(c.limits.idle_timeout == 1000ms);
  CHECK(c.shutdown_grace == 0ms);
  CHECK(c.dedup_backend == tew::DedupBackend::memory);
  CHECK(c.dedup_capacity == 10);
  CHECK(c.dedup.lease == 5s);
  CHECK(c.dedup.done_ttl == 600s);
}

TEST_CASE("SIDECAR_POOL_THREADS, replaced by SIDECAR_MAX_CONNECTIONS, stops startup naming both") {
  const auto r = read({{"SIDECAR_POOL_THREADS", "8"}});
  CHECK(subjects(r.env) == std::vector<std::string>{"SIDECAR_POOL_THREADS"});
  CHECK(r.env.errors()[0].describe().find("SIDECAR_MAX_CONNECTIONS") != std::string::npos);
  CHECK(subjects(read({}).env).empty());
}

TEST_CASE("EVENT_SOURCE defaults to the app id, also when APP_ID is set") {
  CHECK(read({{"APP_ID", "notifier-eu"}}).config.event_source == "notifier-eu");
}

TEST_CASE("LOG_LEVEL names every level, in any case") {
  CHECK(read({{"LOG_LEVEL", "trace"}}).config.log.level == spdlog::level::trace);
  CHECK(read({{"LOG_LEVEL", "WARN"}}).config.log.level == spdlog::level::warn);
  CHECK(read({{"LOG_LEVEL", "error"}}).config.log.level == spdlog::level::err);
}

TEST_CASE("APP_HOST accepts IPv6 addresses") {
  const auto r = read({{"APP_HOST", "::"}});
  CHECK(r.env.errors().empty());
  CHECK(r.config.app_host == "::");
}

TEST_CASE("DAPR_HTTP_ENDPOINT takes precedence over DAPR_HTTP_PORT") {
  const auto r =
      read({{"DAPR_HTTP_ENDPOINT", "http://dapr.local:4000"}, {"DAPR_HTTP_PORT", "3600"}});
  CHECK(r.env.errors().empty());
  CHECK(r.config.sidecar.base_url == "http://dapr.local:4000");
}

TEST_CASE("DAPR_HTTP_ENDPOINT loses its trailing slashes and may be https or have a path") {
  CHECK(read({{"DAPR_HTTP_ENDPOINT", "http://127.0.0.1:3500/"}}).config.sidecar.base_url ==
        "http://127.0.0.1:3500");
  CHECK(read({{"DAPR_HTTP_ENDPOINT", "HTTPS://dapr.example.com//"}}).config.sidecar.base_url ==
        "HTTPS://dapr.example.com");
  CHECK(read({{"DAPR_HTTP_ENDPOINT", "https://gw.example.com/dapr/"}}).config.sidecar.base_url ==
        "https://gw.example.com/dapr");
}

TEST_CASE("each invalid value is an error naming its variable") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"APP_HOST", "localhost"},
      {"APP_HOST", "127.0.0.1:8080"},
      {"APP_PORT", "0"},
      {"APP_PORT", "65536"},
      {"APP_PORT", "http"},
      {"DAPR_HTTP_ENDPOINT", "127.0.0.1:3500"},
      {"DAPR_HTTP_ENDPOINT", "ftp://dapr"},
      {"DAPR_HTTP_ENDPOINT", "http://"},
      {"DAPR_HTTP_ENDPOINT", "http:///v1.0"},
      {"DAPR_HTTP_ENDPOINT", "http://dapr:3500?x=1"},
      {"DAPR_HTTP_ENDPOINT", "http://dapr :3500"},
      {"DAPR_HTTP_PORT", "0"},
      {"DAPR_HTTP_PORT", "3500/tcp"},
      {"SIDECAR_TIMEOUT_MS", "9"},
      {"SIDECAR_TIMEOUT_MS", "600001"},
      {"SIDECAR_MAX_ATTEMPTS", "0"},
      {"SIDECAR_MAX_ATTEMPTS", "21"},
      {"SIDECAR_MAX_CONNECTIONS", "0"},
      {"SIDECAR_MAX_CONNECTIONS", "257"},
      {"DAPR_SUBSCRIBE", "both"},
      {"LOG_LEVEL", "verbose"},
      {"LOG_FORMAT", "xml"},
      {"MAX_BODY_BYTES", "1023"},
      {"MAX_BODY_BYTES", "67108865"},
      {"MAX_BODY_BYTES", "1MiB"},
      {"MAX_HEADER_BYTES", "1023"},
      {"MAX_HEADER_BYTES", "1048577"},
      {"READ_TIMEOUT_MS", "99"},
      {"READ_TIMEOUT_MS", "-1"},
      {"IDLE_TIMEOUT_MS", "3600001"},
      {"IDLE_TIMEOUT_MS", "1.5"},
      {"SHUTDOWN_GRACE_MS", "600001"},
      {"SHUTDOWN_GRACE_MS", "10s"},
      {"DEDUP_BACKEND", "redis"},
      {"DEDUP_CAPACITY", "0"},
      {"DEDUP_CAPACITY", "100000001"},
      {"DEDUP_LEASE_SECONDS", "0"},
      {"DEDUP_LEASE_SECONDS", "3601"},
      {"DEDUP_TTL_SECONDS", "59"},
      {"DEDUP_TTL_SECONDS", "31536001"},
  };
  for (const auto& [name, value] : cases) {
    CAPTURE(name);
    CAPTURE(value);
    const auto r = read({{name, value}});
    REQUIRE(r.env.errors().size() == 1);
    CHECK(r.env.errors()[0].subject == name);
    CHECK(r.env.errors()[0].kind == tew::ErrorKind::invalid_input);
    CHECK(r.env.errors()[0].message.find("must") != std::string::npos);
  }
}

TEST_CASE("every invalid variable is reported at once") {
  const auto r = read({{"APP_PORT", "0"}, {"LOG_LEVEL", "loud"}, {"DEDUP_BACKEND", "redis"}});
  CHECK(subjects(r.env) == std::vector<std::string>{"APP_PORT", "LOG_LEVEL", "DEDUP_BACKEND"});
}

TEST_CASE("DEDUP_TTL_SECONDS shorter than DEDUP_LEASE_SECONDS is an error") {
  const auto r = read({{"DEDUP_LEASE_SECONDS", "120"}, {"DEDUP_TTL_SECONDS", "60"}});
  REQUIRE(r.env.errors().size() == 1);
  CHECK(r.env.errors()[0].describe() ==
        "DEDUP_TTL_SECONDS: must not be shorter than DEDUP_LEASE_SECONDS (120)");
}

TEST_CASE("secrets never appear in error messages or documented defaults") {
  const std::string secret = "s3cr3t-t0ken";
  const auto r = read({{"APP_API_TOKEN", secret},
                       {"DAPR_API_TOKEN", secret},
                       {"DAPR_HTTP_ENDPOINT", "ftp://user:" + secret + "@dapr"},
                       {"APP_HOST", secret},
                       {"APP_PORT", "x"}});
  CHECK(r.config.app_api_token == secret);
  CHECK(r.config.sidecar.api_token == secret);
  CHECK(subjects(r.env) == std::vector<std::string>{"APP_HOST", "APP_PORT", "DAPR_HTTP_ENDPOINT"});
  for (const auto& e : r.env.errors())
    CHECK(e.describe().find(secret) == std::string::npos);
  for (const auto& v : r.env.documented()) {
    CHECK(v.default_value.find(secret) == std::string::npos);
    CHECK(v.help.find(secret) == std::string::npos);
  }
}

TEST_CASE("docs/configuration.md lists exactly the common variables, defaults and meanings") {
  tew::testing::check_generated_docs("common variables", configuration_table());
}
