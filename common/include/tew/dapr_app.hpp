// The Dapr app contract. Handlers register here; the app answers daprd: the subscription
// document, topic deliveries (single and bulk) through the dedup pipeline, input-binding
// calls, health, readiness and metrics. A handler author cannot skip validation or dedup:
//   parse → validate → claim → handle → complete (or release) → answer.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tew/clock.hpp"
#include "tew/cloud_event.hpp"
#include "tew/dedup_store.hpp"
#include "tew/http_server.hpp"
#include "tew/metrics.hpp"
#include "tew/outcome.hpp"
#include "tew/sidecar.hpp"
#include "tew/subscription.hpp"

namespace tew {

struct AppOptions {
  std::string app_id;        // consumer name in dedup keys; daprd's --app-id
  std::string event_source;  // `source` of the events we publish; defaults to app_id
  std::string api_token;     // APP_API_TOKEN; empty: no token required
  // false (DAPR_SUBSCRIBE=declarative): GET /dapr/subscribe answers [] and daprd takes the
  // subscriptions from its Subscription resources; the routes still deliver.
  bool programmatic_subscriptions = true;
};

struct AppDeps {
  DedupStore& dedup;
  Sidecar& sidecar;
  Metrics& metrics;
  const Clock& clock;
};

// What a topic handler sees of one delivery.
struct EventContext {
  const CloudEvent& event;
  const TopicSubscription& subscription;
  std::string_view app_source;

  // The `traceparent` of the event (or "" ), to propagate into follow-on calls.
  std::string traceparent() const;
  // A follow-on event whose id is derived from (event.source, event.id, purpose), so a
  // re-run of this handler builds a byte-identical event. time = the input event's time.
  CloudEvent follow_on(std::string type, std::string_view purpose, nlohmann::json data) const;
  // A publish request for it on `pubsub`/`topic`, carrying this event's traceparent.
  PublishRequest publish_request(std::string pubsub, std::string topic, CloudEvent event) const;
};

// What an input-binding handler sees of one call (e.g. a cron tick).
struct BindingCall {
  const BindingSpec& binding;
  const HttpRequest& request;
};

using TopicHandler = std::function<asio::awaitable<Outcome>(const EventContext&)>;
using BindingHandler = std::function<asio::awaitable<Outcome>(const BindingCall&)>;
// Parsing a payload either fails (the event is DROPped before it is claimed) or yields the
// handler bound to the parsed payload. It may take the event's data (move it out, not copy it):
// the handler's context then has the event's attributes and no data.
using PrepareHandler = std::function<Result<TopicHandler>(CloudEvent&)>;

class DaprApp {
 public:
  DaprApp(AppDeps deps, AppOptions options);
  ~DaprApp();

  // A typed subscription: `parse` validates the payload, `handle` gets it parsed. `parse` is
  // handed the delivered event as an rvalue so that it can take the data instead of copying it
  // (`std::move(event).payload_json()`); it must leave the attributes, which the handler's
  // context still reads.
  template <class Payload>
  void on_topic(
      TopicSubscription spec, std::function<Result<Payload>(CloudEvent&&)> parse,
      std::function<asio::awaitable<Outcome>(const Payload&, const EventContext&)> handle) {
    using Handle = std::function<asio::awaitable<Outcome>(const Payload&, const EventContext&)>;
    auto shared = std::make_shared<const Handle>(std::move(handle));  // not copied per event
    on_topic_prepared(
        std::move(spec),
        [parse = std::move(parse), shared](CloudEvent& event) -> Result<TopicHandler> {
          auto payload = parse(std::move(event));
          if (!payload) return payload.error();
          return TopicHandler{[shared, p = std::move(*payload)](const EventContext& ctx) {
            return (*shared)(p, ctx);
          }};
        });
  }
  // An untyped subscription: the handler reads the CloudEvent itself.
  void on_topic(TopicSubscription spec, TopicHandler handle);
  void on_topic_prepared(TopicSubscription spec, PrepareHandler prepare);
  void on_binding(BindingSpec spec, BindingHandler handle);

  // The router: every request daprd (or a probe) sends.
  asio::awaitable<HttpResponse> handle(HttpRequest& request);

  // /readyz answers 200 only after this, and while the sidecar answers its health check.
  void mark_started();
  const std::vector<TopicSubscription>& subscriptions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tew
