#include "notification/log_channel.hpp"

#include "tew/log.hpp"
#include "tew/rfc3339.hpp"

namespace tew::notification {

asio::awaitable<Delivery> LogChannel::deliver(const Notification& n, const CloudEvent& cause) {
  auto fields = event_fields(cause);
  fields.insert(fields.end(), {{"notification_id", n.notification_id},
                               {"user_id", n.user_id},
                               {"task_id", n.task_id},
                               {"kind", std::string(to_string(n.kind))},
                               {"title", n.title},
                               {"body", n.body},
                               {"channel", n.channel},
                               {"created_at", format_rfc3339(n.created_at)}});
  log_info("notification", fields);
  co_return Delivery::delivered();
}

}  // namespace tew::notification
