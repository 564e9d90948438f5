#include "tew/metered_sidecar.hpp"

namespace tew {

asio::awaitable<Result<void>> MeteredSidecar::publish(const PublishRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  auto result = co_await inner_.publish(request);
  metrics_.observe_publish(request.topic, std::chrono::steady_clock::now() - started);
  metrics_.count_publish(request.topic, result.has_value());
  co_return result;
}

}  // namespace tew
