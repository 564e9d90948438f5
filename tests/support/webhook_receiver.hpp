// A webhook receiver on 127.0.0.1 for tests of the notification service's webhook channel: it
// answers every request 204 and keeps what it got, for the test to count and inspect.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "test_server.hpp"

namespace tew::testing {

class WebhookReceiver {
 public:
  WebhookReceiver();

  std::string url() const;  // http://127.0.0.1:<port>/hook
  std::vector<HttpRequest> requests() const;
  // The value of header `name` in each request from the `from`-th on (cheap to poll often,
  // unlike requests(), which copies every body).
  std::vector<std::string> header_values(std::string_view name, std::size_t from = 0) const;
  // Waits until `ready(requests)` holds, at most `timeout`.
  bool wait_for(const std::function<bool(const std::vector<HttpRequest>&)>& ready,
                std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<HttpRequest> requests_;
  TestServer server_;  // last: it stops before what its handler touches goes
};

}  // namespace tew::testing
