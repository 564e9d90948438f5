#include "notification/webhook_channel.hpp"

#include <fmt/format.h>

namespace tew::notification {

namespace {

constexpr std::size_t kMaxReasonBody = 200;

std::string excerpt(std::string_view body) {
  std::string out;
  for (const char c : body.substr(0, kMaxReasonBody)) {
    const auto b = static_cast<unsigned char>(c);
    out += (b < 0x20 || b == 0x7f) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  if (body.size() > kMaxReasonBody) out += "...";
  return out;
}

}  // namespace

Delivery webhook_delivery(int status, std::string_view body) {
  const auto what = fmt::format("webhook answered HTTP {}", status);
  if (status >= 200 && status < 300) return Delivery::delivered(what);
  const auto reason = body.empty() ? what : what + ": " + excerpt(body);
  // 408 and 429 say "not now"; every other 4xx says the request itself is wrong.
  if (status >= 400 && status < 500 && status != 408 && status != 429)
    return Delivery::refused(reason);
  return Delivery::failed_transient(reason);
}

asio::awaitable<Delivery> WebhookChannel::deliver(const Notification& n, const CloudEvent& cause) {
  HttpPost post;
  post.url = options_.url;
  post.body = to_json(n).dump();
  post.headers.emplace_back("Idempotency-Key", n.notification_id);
  if (const auto traceparent = cause.extension("traceparent"); traceparent && !traceparent->empty())
    post.headers.emplace_back("traceparent", *traceparent);
  post.timeout = options_.timeout;
  const auto answer = co_await http_.post(post);
  if (!answer) co_return Delivery::failed_transient("webhook: " + answer.error().message);
  co_return webhook_delivery(answer->status, answer->body);
}

}  // namespace tew::notification
