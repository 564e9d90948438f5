#include "notification/notifier.hpp"

#include <fmt/format.h>

#include "notification/outcome_events.hpp"
#include "tew/log.hpp"

namespace tew::notification {

namespace {

LogFields delivery_fields(const Notification& n, const CloudEvent& cause, std::string_view detail) {
  auto fields = event_fields(cause);
  fields.emplace_back("channel", n.channel);
  fields.emplace_back("notification_id", n.notification_id);
  if (!detail.empty()) fields.emplace_back("detail", std::string(detail));
  return fields;
}

// Delivers and then records; the record is what keeps a redelivery from sending again.
asio::awaitable<Delivery> deliver_claimed(Channel& channel, const Notification& n,
                                          const CloudEvent& cause, DedupStore& deliveries,
                                          const DedupKey& key, const Claim& claim) {
  Delivery delivery;
  try {
    delivery = co_await channel.deliver(n, cause);
  } catch (const std::exception& e) {
    delivery =
        Delivery::failed_transient(fmt::format("{} channel failed: {}", n.channel, e.what()));
  }
  if (delivery.status == DeliveryStatus::delivered) {
    if (auto r = co_await deliveries.complete(key, claim); !r)
      log_warn(
          "could not record a delivery; until its claim expires a redelivery waits, "
          "after that it may send again",
          delivery_fields(n, cause, r.error().describe()));
  } else if (auto r = co_await deliveries.release(key, claim); !r) {
    log_warn("could not release a delivery claim; a redelivery waits until it expires",
             delivery_fields(n, cause, r.error().describe()));
  }
  co_return delivery;
}

}  // namespace

struct Notifier::Attempt {
  Notification notification;
  Delivery delivery;
};

DedupKey delivery_key(std::string_view app_id, const CloudEvent& event, std::string_view channel) {
  return DedupKey{fmt::format("{}/notify/{}", app_id, channel), event.source, event.id};
}

Notifier::Notifier(Sidecar& sidecar, DedupStore& deliveries, std::vector<Channel*> channels,
                   NotifierOptions options)
    : sidecar_(sidecar),
      deliveries_(deliveries),
      channels_(std::move(channels)),
      options_(std::move(options)) {}

asio::awaitable<Notifier::Attempt> Notifier::deliver_once(Channel& channel, const Trigger& trigger,
                                                          const CloudEvent& cause) {
  Attempt a{compose(trigger, cause, channel.name()), {}};
  const auto key = delivery_key(options_.app_id, cause, channel.name());
  const auto claim = co_await deliveries_.claim(key);
  if (!claim) {
    a.delivery = Delivery::failed_transient(
        fmt::format("{} channel: delivery record: {}", channel.name(), claim.error().describe()));
  } else if (claim->state == ClaimState::already_done) {
    a.delivery = Delivery::delivered("delivered before");
  } else if (claim->state == ClaimState::in_flight) {
    a.delivery = Delivery::failed_transient(
        fmt::format("{} channel: being delivered by another worker", channel.name()));
  } else {
    a.delivery = co_await deliver_claimed(channel, a.notification, cause, deliveries_, key, *claim);
  }
  if (log_enabled(spdlog::level::debug))
    log_debug("notification delivery", delivery_fields(a.notification, cause, a.delivery.detail));
  co_return a;
}

asio::awaitable<Result<void>> Notifier::publish(const EventContext& ctx,
                                                std::string_view event_type, const Notification& n,
                                                nlohmann::json data) {
  auto event = ctx.follow_on(std::string(event_type), outcome_purpose(event_type, n.channel),
                             std::move(data));
  const auto request = ctx.publish_request(options_.pubsub, options_.topic, std::move(event));
  co_return co_await sidecar_.publish(request);
}

asio::awaitable<Outcome> Notifier::notify(const Trigger& trigger, const EventContext& ctx) {
  std::vector<Attempt> attempts;
  for (Channel* channel : channels_)
    attempts.push_back(co_await deliver_once(*channel, trigger, ctx.event));

  std::vector<std::string> retry_reasons;
  std::vector<std::string> drop_reasons;
  for (const auto& a : attempts) {
    if (a.delivery.status == DeliveryStatus::failed_transient)
      retry_reasons.push_back(a.delivery.detail);
    if (a.delivery.status == DeliveryStatus::refused) drop_reasons.push_back(a.delivery.detail);
  }

  for (const auto& a : attempts) {
    const bool final_failure =
        a.delivery.status == DeliveryStatus::refused && retry_reasons.empty();
    if (a.delivery.status != DeliveryStatus::delivered && !final_failure) continue;
    const auto type = final_failure ? kNotificationFailed : kNotificationSent;
    auto data = final_failure
                    ? failed_payload(trigger, a.notification, ctx.event, a.delivery.detail)
                    : sent_payload(trigger, a.notification, ctx.event);
    if (auto r = co_await publish(ctx, type, a.notification, std::move(data)); !r)
      co_return Outcome::retry(fmt::format("publishing {}: {}", type, r.error().describe()));
  }

  if (!retry_reasons.empty())
    co_return Outcome::retry(fmt::format("{}", fmt::join(retry_reasons, "; ")));
  if (!drop_reasons.empty())
    co_return Outcome::drop(fmt::format("{}", fmt::join(drop_reasons, "; ")));
  co_return Outcome::success();
}

}  // namespace tew::notification
