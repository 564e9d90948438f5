// A way a notification reaches its user (a log line, a webhook, a Dapr output binding), and
// what one delivery attempt came to: delivered, failed for now (redeliver the event later), or
// refused for good (the event is DROPped to the dead-letter topic with the reason).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "notification/notification.hpp"
#include "tew/cloud_event.hpp"

namespace tew::notification {

namespace asio = boost::asio;

enum class DeliveryStatus { delivered, failed_transient, refused };

struct Delivery {
  DeliveryStatus status = DeliveryStatus::delivered;
  std::string detail;  // for a log line; the reason when not delivered

  static Delivery delivered(std::string detail = {}) {
    return {DeliveryStatus::delivered, std::move(detail)};
  }
  static Delivery failed_transient(std::string reason) {
    return {DeliveryStatus::failed_transient, std::move(reason)};
  }
  static Delivery refused(std::string reason) {
    return {DeliveryStatus::refused, std::move(reason)};
  }
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual std::string_view name() const = 0;  // as listed in NOTIFY_CHANNELS
  // Sends `notification`, caused by `cause` (for trace propagation and log fields). Never
  // throws for a failure of the peer: that is a Delivery.
  virtual asio::awaitable<Delivery> deliver(const Notification& notification,
                                            const CloudEvent& cause) = 0;
};

}  // namespace tew::notification
