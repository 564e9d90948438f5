// The `binding` channel: a Dapr output binding call (`POST /v1.0/bindings/{NOTIFY_BINDING}`)
// through the sidecar, e.g. an SMTP binding. data = the notification; metadata = the email
// fields configured plus `subject` = its title (none when no email field is configured).
// A sidecar that cannot be reached or fails (5xx) is a transient failure; a refusal (4xx) is
// final.
#pragma once

#include "notification/channel.hpp"
#include "notification/config.hpp"
#include "tew/sidecar.hpp"

namespace tew::notification {

class BindingChannel final : public Channel {
 public:
  BindingChannel(Sidecar& sidecar, BindingOptions options)
      : sidecar_(sidecar), options_(std::move(options)) {}

  std::string_view name() const override { return "binding"; }
  asio::awaitable<Delivery> deliver(const Notification& notification,
                                    const CloudEvent& cause) override;

  // The request sent for `notification`.
  BindingRequest request_for(const Notification& notification) const;

 private:
  Sidecar& sidecar_;
  BindingOptions options_;
};

}  // namespace tew::notification
