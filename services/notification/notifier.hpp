// The handler behind both subscriptions: one notification per channel for a trigger, each
// channel delivered at most once per event, then notification.sent / notification.failed
// published with derived ids, and the answer for daprd.
//
// Redelivery after a partial failure must not send twice, on any replica: before a channel is
// tried, its delivery is claimed in the state store (a DedupStore keyed by app id + channel +
// event source + id; SidecarDedupStore in production: first-write inserts, ETag-guarded
// updates). A delivered channel completes its claim, so a redelivery skips it; a failed one
// releases it, so a redelivery tries it again. A crash between sending and completing is the
// one window where a channel sends twice (after the claim's lease runs out); the webhook's
// Idempotency-Key lets its receiver absorb that copy.
#pragma once

#include <string>
#include <vector>

#include "notification/channel.hpp"
#include "notification/notification.hpp"
#include "tew/dapr_app.hpp"
#include "tew/dedup_store.hpp"
#include "tew/outcome.hpp"
#include "tew/sidecar.hpp"

namespace tew::notification {

struct NotifierOptions {
  std::string app_id;  // first part of every delivery record's key
  std::string pubsub;
  std::string topic;  // NOTIFICATIONS_TOPIC
};

// The record that `event`'s notification went out on `channel`.
DedupKey delivery_key(std::string_view app_id, const CloudEvent& event, std::string_view channel);

class Notifier {
 public:
  // `channels` in delivery order; they and `deliveries` outlive the Notifier.
  Notifier(Sidecar& sidecar, DedupStore& deliveries, std::vector<Channel*> channels,
           NotifierOptions options);

  // Every channel is tried, whatever the others do. Then:
  // - any channel failed for now (or its record could not be read) → RETRY, after publishing
  //   notification.sent for the channels delivered;
  // - else any channel refused → notification.sent for the delivered ones and
  //   notification.failed for the refused ones, then DROP naming each refusal;
  // - else notification.sent for each channel, then SUCCESS.
  // A publish that fails → RETRY (delivered channels are not sent again on redelivery).
  asio::awaitable<Outcome> notify(const Trigger& trigger, const EventContext& ctx);

 private:
  struct Attempt;
  asio::awaitable<Attempt> deliver_once(Channel& channel, const Trigger& trigger,
                                        const CloudEvent& cause);
  asio::awaitable<Result<void>> publish(const EventContext& ctx, std::string_view event_type,
                                        const Notification& n, nlohmann::json data);

  Sidecar& sidecar_;
  DedupStore& deliveries_;
  std::vector<Channel*> channels_;
  NotifierOptions options_;
};

}  // namespace tew::notification
