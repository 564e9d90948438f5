// The real sidecar client: libcurl against daprd's HTTP API, through curl's multi interface
// driven by the caller's executor (no call blocks, no thread hand-off): a stalled sidecar never
// stalls event intake. Connections stay open and are reused by later calls.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "tew/sidecar.hpp"

namespace tew {

struct SidecarOptions {
  std::string base_url = "http://127.0.0.1:3500";  // DAPR_HTTP_ENDPOINT, no trailing slash
  std::string api_token;                           // DAPR_API_TOKEN; empty: not sent
  std::chrono::milliseconds timeout{5000};         // per attempt
  int max_attempts = 4;                            // first try included
  std::chrono::milliseconds backoff_base{50};      // doubles each retry, full jitter
  std::chrono::milliseconds backoff_max{2000};
  unsigned max_connections = 16;  // open to daprd at once: the most calls in flight at once
};

// Retry policy: an attempt is retried after a connection failure or timeout, or a 5xx answer,
// up to max_attempts with exponential backoff and full jitter. Conditional state writes
// (a save or transaction with an ETag or first-write, a delete with an ETag) are retried only
// when the connection could not be made, since the condition of a write that reached the store
// would fail on a blind retry. 4xx answers are never retried; healthy() asks once.
// Calls run on `executor` and must come from it: it has one thread (the service's io_context).
class CurlSidecar final : public Sidecar {
 public:
  CurlSidecar(asio::any_io_executor executor, SidecarOptions options);
  ~CurlSidecar() override;

  asio::awaitable<Result<void>> publish(const PublishRequest& request) override;
  asio::awaitable<Result<StateItem>> get_state(const std::string& store,
                                               const std::string& key) override;
  asio::awaitable<Result<std::vector<StateItem>>> get_state_bulk(
      const std::string& store, const std::vector<std::string>& keys) override;
  asio::awaitable<Result<void>> save_state(const std::string& store,
                                           const std::vector<StateWrite>& items) override;
  asio::awaitable<Result<void>> delete_state(const std::string& store,
                                             const StateDelete& item) override;
  asio::awaitable<Result<void>> transact(const std::string& store,
                                         const std::vector<StateOperation>& ops) override;
  asio::awaitable<Result<BindingResponse>> invoke_binding(const BindingRequest& request) override;
  asio::awaitable<bool> healthy() override;

  // Later calls fail at once (ErrorKind::unavailable, "client stopped") without a request.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tew
