#include "http_app.hpp"

#include "check.hpp"
#include "dapr_http.hpp"
#include "tew/task_event.hpp"

namespace tew::fuzz {

namespace {

// Builds the wire request exactly as CurlSidecar would (dump() included), then publishes.
// `request` by value: the coroutine outlives the caller's frame.
asio::awaitable<Outcome> publish(Sidecar& sidecar, PublishRequest request) {
  try {
    dapr_http::publish_request(request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "publish_request threw: %s\n", e.what());
    fail("a follow-on event serializes", __FILE__, __LINE__);
  }
  auto published = co_await sidecar.publish(request);
  if (!published) co_return Outcome::retry(published.error().describe());
  co_return Outcome::success();
}

Result<TaskEvent> task_event_of(const CloudEvent& event) {
  auto payload = event.payload_json();
  if (!payload) return payload.error();
  return parse_task_event(std::move(*payload));
}

Result<ReminderDueEvent> reminder_due_of(const CloudEvent& event) {
  auto payload = event.payload_json();
  if (!payload) return payload.error();
  return parse_reminder_due_event(std::move(*payload));
}

// What the untyped route publishes: the payload as it came, raw bytes carried as a string.
nlohmann::json order_of(const CloudEvent& event) {
  if (event.data_bytes) return *event.data_bytes;
  return event.data.value_or(nullptr);
}

}  // namespace

HttpLimits http_limits() {
  HttpLimits limits;
  limits.max_body_bytes = 16 * 1024;
  limits.max_header_bytes = 4 * 1024;
  return limits;
}

void add_routes(DaprApp& app, Sidecar& sidecar) {
  TopicSubscription tasks{
      "pubsub", "task-events", std::string(kTaskRoute), std::nullopt, "task-dead-letters", {}, {}};
  tasks.bulk.enabled = true;
  app.on_topic<TaskEvent>(
      tasks, task_event_of, [&sidecar](const TaskEvent& task, const EventContext& ctx) {
        auto out = ctx.follow_on("notification.sent", "notify", to_json(task));
        return publish(sidecar, ctx.publish_request("pubsub", "notifications", std::move(out)));
      });

  TopicSubscription reminders{"pubsub",
                              "reminders",
                              std::string(kReminderRoute),
                              std::nullopt,
                              "reminder-dead-letters",
                              {{"rawPayload", "true"}},
                              {}};
  app.on_topic<ReminderDueEvent>(
      reminders, reminder_due_of,
      [](const ReminderDueEvent&, const EventContext&) -> asio::awaitable<Outcome> {
        co_return Outcome::success();
      });

  TopicSubscription orders{"pubsub", "orders", std::string(kOrderRoute), std::nullopt, {}, {}, {}};
  app.on_topic(orders, [&sidecar](const EventContext& ctx) -> asio::awaitable<Outcome> {
    auto order = order_of(ctx.event);
    if (order.is_object() && order.value("fail", nlohmann::json()) == "transient")
      co_return Outcome::retry("asked to fail");
    if (order.is_object() && order.value("fail", nlohmann::json()) == "throw")
      throw std::runtime_error("asked to throw");
    auto out = ctx.follow_on("order.seen", "seen", {{"order", std::move(order)}});
    auto request = ctx.publish_request("pubsub", "orders-seen", std::move(out));
    co_return co_await publish(sidecar, std::move(request));
  });

  app.on_binding({std::string(kBinding), ""},
                 [](const BindingCall& call) -> asio::awaitable<Outcome> {
                   if (call.request.body() == "fail") co_return Outcome::retry("asked to fail");
                   co_return Outcome::success();
                 });
}

}  // namespace tew::fuzz
