#include "notification/service.hpp"

#include <stdexcept>

#include "notification/binding_channel.hpp"
#include "notification/curl_http_delivery.hpp"
#include "notification/incoming.hpp"
#include "notification/log_channel.hpp"
#include "notification/notifier.hpp"
#include "notification/webhook_channel.hpp"
#include "tew/log.hpp"
#include "tew/sidecar_dedup_store.hpp"

namespace tew::notification {

namespace {

// Everything the handlers use, owned together by the handlers that use it.
struct Runtime {
  Runtime(Wiring& w, const NotificationConfig& config, std::shared_ptr<HttpDelivery> http_)
      : http(std::move(http_)),
        deliveries(w.sidecar, w.clock, w.config.state_store, w.config.dedup),
        notifier(w.sidecar, deliveries, channels_in_order(w, config),
                 {w.config.app_id, w.config.pubsub_name, config.topics.notifications}),
        metrics(w.metrics),
        notify(config.notify) {}

  std::vector<Channel*> channels_in_order(Wiring& w, const NotificationConfig& config) {
    std::vector<Channel*> order;
    for (const auto& name : config.channels) {
      channels.push_back(make_channel(name, w, config));
      order.push_back(channels.back().get());
    }
    return order;
  }

  std::unique_ptr<Channel> make_channel(std::string_view name, Wiring& w,
                                        const NotificationConfig& config) const {
    if (name == "log") return std::make_unique<LogChannel>();
    if (name == "binding") return std::make_unique<BindingChannel>(w.sidecar, config.binding);
    if (name == "webhook" && http) return std::make_unique<WebhookChannel>(*http, config.webhook);
    throw std::invalid_argument("notification channel " + std::string(name) + " cannot be built");
  }

  std::shared_ptr<HttpDelivery> http;
  std::vector<std::unique_ptr<Channel>> channels;
  SidecarDedupStore deliveries;
  Notifier notifier;
  Metrics& metrics;
  std::vector<Kind> notify;
};

asio::awaitable<Outcome> handle(const Incoming& in, const EventContext& ctx, Runtime& rt) {
  if (!in.trigger) {
    auto fields = event_fields(ctx.event);
    fields.emplace_back("payload_event_type", in.event_type);
    fields.emplace_back("reason", in.ignored_because);
    log_debug("event ignored", fields);
    rt.metrics.count_ignored(ctx.subscription.topic, in.event_type);
    co_return Outcome::success();
  }
  co_return co_await rt.notifier.notify(*in.trigger, ctx);
}

void subscribe(Wiring& w, const std::shared_ptr<Runtime>& rt, std::string topic,
               std::string_view route, Feed feed, const std::string& dead_letter) {
  TopicSubscription spec{w.config.pubsub_name,
                         std::move(topic),
                         std::string(route),
                         std::nullopt,
                         dead_letter,
                         {},
                         {}};
  w.app.on_topic<Incoming>(
      std::move(spec),
      [rt, feed](CloudEvent&& event) { return read_incoming(std::move(event), feed, rt->notify); },
      [rt](const Incoming& in, const EventContext& ctx) { return handle(in, ctx, *rt); });
}

}  // namespace

void register_handlers(Wiring& w, const NotificationConfig& config,
                       std::shared_ptr<HttpDelivery> http) {
  auto rt = std::make_shared<Runtime>(w, config, std::move(http));
  subscribe(w, rt, config.topics.task_events, kTaskEventsRoute, Feed::task_events,
            config.topics.dead_letter);
  subscribe(w, rt, config.topics.reminders, kRemindersRoute, Feed::reminders,
            config.topics.dead_letter);
}

std::function<void(Wiring&)> configure(Env& env) {
  auto config = read_config(env);
  return [config](Wiring& w) {
    std::shared_ptr<HttpDelivery> http;
    if (config.has_channel("webhook"))
      http = std::make_shared<CurlHttpDelivery>(config.webhook.pool_threads);
    register_handlers(w, config, std::move(http));
  };
}

}  // namespace tew::notification
