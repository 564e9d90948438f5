// The `log` channel: each notification as one structured log line (message "notification"), for
// a log pipeline to forward, or for local use. It cannot fail.
#pragma once

#include "notification/channel.hpp"

namespace tew::notification {

class LogChannel final : public Channel {
 public:
  std::string_view name() const override { return "log"; }
  asio::awaitable<Delivery> deliver(const Notification& notification,
                                    const CloudEvent& cause) override;
};

}  // namespace tew::notification
