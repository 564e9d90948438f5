#include "notification/binding_channel.hpp"

namespace tew::notification {

BindingRequest BindingChannel::request_for(const Notification& n) const {
  BindingRequest request;
  request.name = options_.name;
  request.operation = options_.operation;
  request.data = to_json(n);
  if (!options_.email.empty()) {
    request.metadata = options_.email;
    request.metadata["subject"] = n.title;
  }
  return request;
}

asio::awaitable<Delivery> BindingChannel::deliver(const Notification& n, const CloudEvent&) {
  const auto request = request_for(n);
  const auto answer = co_await sidecar_.invoke_binding(request);
  if (answer)
    co_return Delivery::delivered("binding answered HTTP " + std::to_string(answer->http_status));
  const auto& e = answer.error();
  const auto reason = "binding " + options_.name + ": " + e.describe();
  if (e.transient()) co_return Delivery::failed_transient(reason);
  co_return Delivery::refused(reason);
}

}  // namespace tew::notification
