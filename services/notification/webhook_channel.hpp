// The `webhook` channel: POSTs the notification as JSON to WEBHOOK_URL with header
// `Idempotency-Key: <notification_id>`, so a receiver can drop the copy a redelivery may send.
// 2xx: delivered. 408, 429, 5xx, other statuses, timeouts and connection failures: failed for
// now (RETRY). Any other 4xx: refused (DROP) with the status and the start of the answer.
#pragma once

#include "notification/channel.hpp"
#include "notification/config.hpp"
#include "notification/http_delivery.hpp"

namespace tew::notification {

class WebhookChannel final : public Channel {
 public:
  WebhookChannel(HttpDelivery& http, WebhookOptions options)
      : http_(http), options_(std::move(options)) {}

  std::string_view name() const override { return "webhook"; }
  asio::awaitable<Delivery> deliver(const Notification& notification,
                                    const CloudEvent& cause) override;

 private:
  HttpDelivery& http_;
  WebhookOptions options_;
};

// What an answer with `status` means for the delivery (the body excerpt goes into the reason).
Delivery webhook_delivery(int status, std::string_view body);

}  // namespace tew::notification
