// An HttpDelivery for the webhook channel's tests: records each POST and answers with the
// scripted results in order, then 200.
#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "notification/http_delivery.hpp"

namespace tew::notification::testing {

class FakeHttpDelivery final : public HttpDelivery {
 public:
  void script(Result<HttpAnswer> answer) {
    const std::lock_guard lock(mutex_);
    answers_.push_back(std::move(answer));
  }

  std::vector<HttpPost> posts() const {
    const std::lock_guard lock(mutex_);
    return posts_;
  }

  asio::awaitable<Result<HttpAnswer>> post(const HttpPost& request) override {
    const std::lock_guard lock(mutex_);
    posts_.push_back(request);
    if (answers_.empty()) co_return HttpAnswer{200, ""};
    auto answer = std::move(answers_.front());
    answers_.pop_front();
    co_return answer;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<Result<HttpAnswer>> answers_;
  std::vector<HttpPost> posts_;
};

}  // namespace tew::notification::testing
