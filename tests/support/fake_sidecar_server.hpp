// A stand-in for daprd's HTTP API on 127.0.0.1, for CurlSidecar's tests and for integration
// tests that run service binaries against it: publish, state over a FakeStateStore, output
// bindings and health, with daprd's status codes and error bodies, the API token check, and
// injected faults (error statuses, dropped connections, delays). Serves on its own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fake_state_store.hpp"

namespace tew::testing {

struct RecordedRequest {
  std::string method;                          // "POST"
  std::string path;                            // as sent, percent-encoded, without the query
  std::string query;                           // as sent, without '?'
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;

  // The header's value, "" when absent (`name` in any case).
  std::string header(std::string_view name) const;
};

// A publish daprd accepted (204).
struct PublishedEvent {
  std::string pubsub;
  std::string topic;
  std::string content_type;
  std::map<std::string, std::string> metadata;  // from `?metadata.<k>=<v>`, decoded
  std::string traceparent;                      // the header; "" when absent
  nlohmann::json event;                         // the body; a JSON string when it is not JSON
};

// Routes (store names all share the one FakeStateStore):
//   POST /v1.0/publish/{pubsub}/{topic}           204; recorded in published()
//   GET  /v1.0/state/{store}/{key}                200 + ETag header, or 204 when absent
//   POST /v1.0/state/{store}/bulk                 200 [{"key","data","etag"}], no data when
//                                                 absent; 400 for a body without "keys"
//   POST /v1.0/state/{store}                      204; daprd's errors: 409 ETag mismatch,
//                                                 500 ERR_STATE_SAVE for a first-write rejection
//   DELETE /v1.0/state/{store}/{key}              204; If-Match, ?concurrency=
//   POST /v1.0/state/{store}/transaction          204; any failure 500 ERR_STATE_TRANSACTION
//   POST /v1.0/bindings/{name}                    the scripted answer, 204 by default
//   GET  /v1.0/healthz, /v1.0/healthz/outbound    204 (500 after set_healthy(false))
// With an API token required, any other route without the right `dapr-api-token` is 401
// "invalid api token" (daprd exempts the health routes too).
class FakeSidecarServer {
 public:
  explicit FakeSidecarServer(const Clock& clock);     // with a state store of its own
  explicit FakeSidecarServer(FakeStateStore& state);  // sharing one, e.g. with a FakeSidecar
  ~FakeSidecarServer();                               // stops
  FakeSidecarServer(const FakeSidecarServer&) = delete;
  FakeSidecarServer& operator=(const FakeSidecarServer&) = delete;

  // Listens on an ephemeral port of 127.0.0.1 and serves from a thread of its own.
  void start();
  // Closes the listener and every connection, and joins the thread. Idempotent.
  void stop();
  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>"

  FakeStateStore& state();

  // --- what it saw (thread-safe) ---
  std::vector<RecordedRequest> requests() const;  // every request, faulted and refused too
  std::size_t request_count() const;              // recorded or not
  std::vector<PublishedEvent> published() const;
  std::size_t connections_accepted() const;
  void clear_recorded();  // requests and published events; not the connection count
  // From now on requests() and published() stay empty (request_count() still counts): for the
  // benchmarks' stand-in, where keeping every request cost more than answering it.
  void stop_recording();

  // --- scripting (thread-safe, effective for the next request) ---
  // As daprd with DAPR_API_TOKEN set; "" turns the check off.
  void require_api_token(std::string token);
  // The answer of every later invocation of binding `name`.
  void script_binding(const std::string& name, int status, std::string body);
  void set_healthy(bool healthy);

  // Faults for the next `count` requests whose path starts with `path_prefix` ("" for all),
  // taken in the order they were scripted. A faulted request is recorded but has no effect.
  // Answered with `status` and a daprd-style error body.
  void fail_next(int count, int status, std::string path_prefix = {});
  // Read, then the connection is closed without an answer.
  void close_next(int count, std::string path_prefix = {});
  // Handled normally (effects included) only after `delay`, as by a stalled sidecar.
  void delay_next(int count, std::chrono::milliseconds delay, std::string path_prefix = {});

 private:
  struct Impl;
  std::unique_ptr<FakeStateStore> owned_state_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tew::testing
