#include "webhook_receiver.hpp"

namespace tew::testing {

WebhookReceiver::WebhookReceiver()
    : server_([this](HttpRequest& req) -> asio::awaitable<HttpResponse> {
        {
          const std::lock_guard lock(mutex_);
          requests_.push_back(req);
        }
        changed_.notify_all();
        co_return HttpResponse{http::status::no_content, req.version()};
      }) {}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(server_.port()) + "/hook";
}

std::vector<HttpRequest> WebhookReceiver::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> WebhookReceiver::header_values(std::string_view name,
                                                        std::size_t from) const {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (std::size_t i = from; i < requests_.size(); ++i)
    out.emplace_back(requests_[i][name]);
  return out;
}

bool WebhookReceiver::wait_for(const std::function<bool(const std::vector<HttpRequest>&)>& ready,
                               std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return ready(requests_); });
}

}  // namespace tew::testing
