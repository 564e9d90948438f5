// HttpDelivery on libcurl. Each blocking POST runs on a small pool of its own and resumes on
// the caller's executor: a slow webhook never stalls event intake (CurlSidecar, which makes
// many more calls, drives curl's multi interface instead). Each pool thread keeps one easy
// handle, so connections are reused.
#pragma once

#include <memory>

#include "notification/http_delivery.hpp"

namespace tew::notification {

// Redirects are not followed (a webhook that moved is a configuration error); only http and
// https; no retries here: a failed POST is retried by redelivery of the event.
class CurlHttpDelivery final : public HttpDelivery {
 public:
  explicit CurlHttpDelivery(unsigned pool_threads);
  ~CurlHttpDelivery() override;  // stop()

  asio::awaitable<Result<HttpAnswer>> post(const HttpPost& request) override;

  // Waits for the POSTs in flight and joins the pool; later POSTs fail at once.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tew::notification
