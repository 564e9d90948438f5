// The configuration every service shares, read from the environment with Dapr's
// conventional names where they exist (APP_PORT, DAPR_HTTP_PORT, DAPR_HTTP_ENDPOINT,
// APP_API_TOKEN, DAPR_API_TOKEN). Services read their own variables beside it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tew/curl_sidecar.hpp"
#include "tew/dedup_store.hpp"
#include "tew/env.hpp"
#include "tew/http_server.hpp"
#include "tew/log.hpp"

namespace tew {

enum class DedupBackend { memory, state };
// Who tells daprd what to subscribe: the app (GET /dapr/subscribe) or the Subscription files
// in dapr/subscriptions/. Exactly one of them, so a topic is never subscribed twice.
enum class SubscribeMode { programmatic, declarative };

struct CommonConfig {
  std::string app_id;
  std::string app_host;  // an IP address literal, checked when read
  std::uint16_t app_port = 0;
  std::string app_api_token;
  SidecarOptions sidecar;  // base_url from DAPR_HTTP_ENDPOINT or 127.0.0.1:DAPR_HTTP_PORT
  std::string pubsub_name;
  std::string state_store;
  SubscribeMode subscribe_mode = SubscribeMode::programmatic;
  std::string event_source;
  LogOptions log;
  HttpLimits limits;
  std::chrono::milliseconds shutdown_grace{10'000};
  DedupBackend dedup_backend = DedupBackend::state;
  DedupPolicy dedup;
  std::size_t dedup_capacity = 0;  // memory backend only
};

// Invalid values are collected in env.errors(); the caller reports them all and exits 2.
CommonConfig read_common_config(Env& env, std::string_view service_name,
                                std::uint16_t default_port);

}  // namespace tew
