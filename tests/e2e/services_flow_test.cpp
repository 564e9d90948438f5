// The three services behind real daprd sidecars, against real Redis and again against real
// Kafka, fed the way the task backend feeds them: task events published through a sidecar's
// publish API. A sink app (an in-process subscriber with its own sidecar, which also plays the
// backend's sidecar) sees what the services publish and what lands on dead-letter topics; a
// local webhook receiver sees what the notification service sends.
#include <doctest/doctest.h>

#include "brokers.hpp"
#include "log_lines.hpp"
#include "stack.hpp"
#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"
#include "wait_until.hpp"
#include "webhook_receiver.hpp"

namespace {

using namespace tew::e2e;
using nlohmann::json;
using tew::testing::WebhookReceiver;

// How long a test keeps watching after the expected effect, to see that no second one comes:
// longer than two ticks of dapr/components/reminder-tick.yaml (@every 5s) and than the first
// redelivery of dapr/resiliency.yaml.
constexpr auto kQuiet = 12s;

// The pubsub component is scoped to our three app ids, so the sink borrows the id of a service
// the test does not run.
struct World {
  World(Broker broker, const std::string& sink_id, const std::vector<std::string>& topics)
      : stack(with_broker(broker)),
        sink(sink_subscriptions(topics)),
        backend(stack.sidecar(sink_id, sink)) {}

  // A full CloudEvent, so the test knows its id (daprd keeps it).
  int publish(const std::string& id, const json& data) const {
    const json event{{"specversion", "1.0"},
                     {"id", id},
                     {"source", "task-api"},
                     {"type", "com.dapr.event.sent"},
                     {"datacontenttype", "application/json"},
                     {"data", data}};
    return backend->publish("task-events", event, "application/cloudevents+json");
  }

  // What the sink got on `topic` of this type whose data has `value` in `field`.
  std::vector<json> seen(const std::string& topic, std::string_view type, std::string_view value,
                         const std::string& field = "task_id") const {
    std::vector<json> out;
    for (const auto& d : sink.deliveries())
      if (d.path == sink_route(topic) && d.body.value("type", "") == type &&
          d.body["data"].value(field, "") == value)
        out.push_back(d.body);
    return out;
  }

  Stack stack;
  ScriptedApp sink;
  std::unique_ptr<Daprd> backend;
};

std::string now_plus(std::chrono::seconds s) {
  const auto t =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now() + s);
  return tew::format_rfc3339(t);
}

json task_event(const std::string& type, const std::string& task_id, json task_data, int version) {
  task_data["id"] = task_id;
  task_data["version"] = version;
  task_data["is_complete"] = type == "task.completed";
  return {{"event_type", type},        {"task_id", task_id},     {"user_id", "u-e2e"},
          {"timestamp", now_plus(0s)}, {"task_data", task_data}, {"metadata", json::object()}};
}

// Notifications among `requests` for this task and kind.
std::size_t notifications(const std::vector<tew::HttpRequest>& requests, std::string_view task_id,
                          std::string_view kind) {
  std::size_t n = 0;
  for (const auto& r : requests) {
    const auto body = json::parse(r.body(), nullptr, false);
    if (body.is_object() && body.value("task_id", "") == task_id && body.value("kind", "") == kind)
      ++n;
  }
  return n;
}

std::string logs(const std::vector<const AppReplica*>& apps, const World& w) {
  std::string out;
  for (const auto* a : apps)
    out += "---- app\n" + tail(a->log()) + "---- its daprd\n" + tail(a->daprd->log());
  return out + "---- sink\n" + w.sink.describe();
}

}  // namespace

TEST_CASE_TEMPLATE(
    "a task with a reminder: one reminder.due at its time and one notification of each event", B,
    Redis, Kafka) {
  World w(B::broker, "recurring", {"reminders", "notifications"});
  WebhookReceiver hook;
  auto notification =
      w.stack.start_app("tew-notification", "notification",
                        {{"NOTIFY_CHANNELS", "webhook"}, {"WEBHOOK_URL", hook.url()}});
  auto reminder = w.stack.start_app("tew-reminder", "reminder", {{"REMINDER_BUCKET_SECONDS", "5"}});
  const auto all = [&] { return logs({&notification, &reminder}, w); };

  const std::string task = "task-with-reminder";
  const auto remind_at = now_plus(10s);
  const auto created = task_event(
      "task.created", task,
      {{"title", "Water the plants"}, {"due_date", now_plus(600s)}, {"remind_at", remind_at}}, 1);
  REQUIRE(w.publish("created-1", created) == 204);
  REQUIRE(w.publish("created-1", created) == 204);  // the backend's retry: same CloudEvent id

  REQUIRE_MESSAGE(wait_until([&] { return !w.seen("reminders", "reminder.due", task).empty(); },
                             kDelivery + 10s),
                  all());
  REQUIRE_MESSAGE(
      hook.wait_for([&](const auto& got) { return notifications(got, task, "reminder.due") > 0; },
                    kDelivery),
      all());
  const auto due = w.seen("reminders", "reminder.due", task).front();
  CHECK(due["id"] == tew::derive_id({"reminder.due", task, remind_at}));
  CHECK(due["data"]["remind_at"] == remind_at);
  CHECK(due["data"]["late"] == false);
  // Fired at its time: not before remind_at, and at the first ticks after it.
  const auto fired = tew::parse_rfc3339(due["data"]["timestamp"].get<std::string>()).value();
  const auto at = tew::parse_rfc3339(remind_at).value();
  CHECK(fired >= at);
  CHECK(fired - at < 30s);

  std::this_thread::sleep_for(kQuiet);
  CHECK_MESSAGE(w.seen("reminders", "reminder.due", task).size() == 1, all());
  CHECK(notifications(hook.requests(), task, "reminder.due") == 1);
  CHECK(notifications(hook.requests(), task, "task.created") == 1);
  CHECK(count_lines(notification.log(), {"duplicate event acknowledged", "event_id=created-1"}) ==
        1);
  // notification.sent for each, published through the sidecar.
  CHECK(w.seen("notifications", "notification.sent", task).size() == 2);
}

TEST_CASE_TEMPLATE(
    "completing a recurring task publishes exactly one next instance, due at the next occurrence",
    B, Redis, Kafka) {
  World w(B::broker, "notification", {"task-events"});
  auto recurring = w.stack.start_app("tew-recurring", "recurring");
  const auto all = [&] { return logs({&recurring}, w); };
  const auto handled = [&](const std::string& id) {
    return wait_until(
        [&] {
          return count_lines(recurring.log(), {"event handled", "event_id=" + id}) +
                     count_lines(recurring.log(),
                                 {"duplicate event acknowledged", "event_id=" + id}) >=
                 1;
        },
        kDelivery);
  };

  // Daily at 09:00 Berlin; the next occurrence is after the switch to summer time (29 March).
  const std::string task = "plants-0328";
  const json rule{{"title", "Water the plants"},
                  {"due_date", "2026-03-28T08:00:00Z"},
                  {"recurrence", "daily"},
                  {"timezone", "Europe/Berlin"}};
  REQUIRE(w.publish("r-created", task_event("task.created", task, rule, 1)) == 204);
  REQUIRE_MESSAGE(handled("r-created"), all());
  const auto completed = task_event("task.completed", task, rule, 2);
  REQUIRE(w.publish("r-completed", completed) == 204);
  REQUIRE_MESSAGE(
      wait_until(
          [&] { return !w.seen("task-events", "recurring.trigger", task, "series_id").empty(); },
          kDelivery),
      all());

  // Redelivered, and reopened then completed again: the series is past this occurrence.
  REQUIRE(w.publish("r-completed", completed) == 204);
  REQUIRE(w.publish("r-reopened", task_event("task.updated", task, rule, 3)) == 204);
  REQUIRE_MESSAGE(handled("r-reopened"), all());
  REQUIRE(w.publish("r-completed-again", task_event("task.completed", task, rule, 4)) == 204);
  REQUIRE_MESSAGE(handled("r-completed-again"), all());
  std::this_thread::sleep_for(kQuiet);

  const auto triggers = w.seen("task-events", "recurring.trigger", task, "series_id");
  REQUIRE_MESSAGE(triggers.size() == 1, all());
  const auto& next = triggers.front()["data"]["task_data"];
  CHECK(next["due_date"] == "2026-03-29T07:00:00Z");
  CHECK(next["id"] == tew::derive_id({task, "2026-03-29T07:00:00Z"}));
  CHECK(next["parent_task_id"] == task);
  CHECK(next["title"] == "Water the plants");
  CHECK(next["is_complete"] == false);
  CHECK(count_lines(recurring.log(), {"duplicate event acknowledged", "event_id=r-completed"}) ==
        1);
}

TEST_CASE_TEMPLATE("malformed events land on the dead-letter topic once, and the flow goes on", B,
                   Redis, Kafka) {
  World w(B::broker, "recurring", {"notification-dead-letters"});
  WebhookReceiver hook;
  auto notification =
      w.stack.start_app("tew-notification", "notification",
                        {{"NOTIFY_CHANNELS", "webhook"}, {"WEBHOOK_URL", hook.url()}});
  const auto all = [&] { return logs({&notification}, w); };

  auto poison = task_event("task.created", "t-poison", {{"title", "no id"}}, 1);
  poison.erase("task_id");
  REQUIRE(w.publish("poison-1", poison) == 204);
  // Not JSON at all: daprd wraps the text as a string `data`.
  REQUIRE(
      w.backend->post("/v1.0/publish/pubsub/task-events", "this is not a task event", "text/plain")
          .result_int() == 204);
  REQUIRE(w.publish("valid-after", task_event("task.created", "t-valid", {{"title", "ok"}}, 1)) ==
          204);

  const auto dead = sink_route("notification-dead-letters");
  REQUIRE_MESSAGE(wait_until([&] { return w.sink.count(dead) >= 2; }, kDelivery), all());
  REQUIRE_MESSAGE(
      hook.wait_for(
          [&](const auto& got) { return notifications(got, "t-valid", "task.created") == 1; },
          kDelivery),
      all());
  std::this_thread::sleep_for(kQuiet);
  CHECK_MESSAGE(w.sink.count(dead) == 2, all());
  CHECK(w.sink.count(dead, "poison-1") == 1);
  // Dropped at the first delivery, with the field named; never retried.
  CHECK(count_lines(notification.log(), {"dropping event", "event_id=poison-1", "task_id"}) == 1);
  CHECK(count_lines(notification.log(), {"dropping event"}) == 2);
  CHECK(hook.requests().size() == 1);
}

TEST_CASE_TEMPLATE("API tokens on both sides: the services work and refuse calls without one", B,
                   Redis, Kafka) {
  const Tokens tokens{"app-token-e2e", "dapr-token-e2e"};
  World w(B::broker, "recurring", {"notifications"});
  WebhookReceiver hook;
  auto notification =
      w.stack.start_app("tew-notification", "notification",
                        {{"NOTIFY_CHANNELS", "webhook"}, {"WEBHOOK_URL", hook.url()}}, tokens);
  const auto all = [&] { return logs({&notification}, w); };

  REQUIRE(w.publish("tok-1", task_event("task.created", "t-tok", {{"title", "secret"}}, 1)) == 204);
  // Delivered with APP_API_TOKEN, published back with DAPR_API_TOKEN.
  REQUIRE_MESSAGE(
      wait_until([&] { return w.seen("notifications", "notification.sent", "t-tok").size() == 1; },
                 kDelivery),
      all());
  CHECK(notifications(hook.requests(), "t-tok", "task.created") == 1);

  tew::testing::HttpClient app(notification.port);
  CHECK(app.get("/dapr/subscribe").result_int() == 401);
  CHECK(app.post("/events/task-events", "{}", "application/cloudevents+json",
                 {{"dapr-api-token", "wrong"}})
            .result_int() == 401);
  CHECK(app.get("/healthz").result_int() == 200);
  CHECK(app.get("/dapr/subscribe", {{"dapr-api-token", tokens.app}}).result_int() == 200);
  CHECK(notification.log().find(tokens.app) == std::string::npos);
  CHECK(notification.log().find(tokens.dapr) == std::string::npos);
}

TEST_CASE_TEMPLATE(
    "two replicas of each service: every reminder fires once and every notification goes out once",
    B, Redis, Kafka) {
  World w(B::broker, "recurring", {"reminders"});
  WebhookReceiver hook;
  const std::map<std::string, std::string> notify{{"NOTIFY_CHANNELS", "webhook"},
                                                  {"WEBHOOK_URL", hook.url()}};
  const std::map<std::string, std::string> remind{{"REMINDER_BUCKET_SECONDS", "5"}};
  auto n1 = w.stack.start_app("tew-notification", "notification", notify);
  auto n2 = w.stack.start_app("tew-notification", "notification", notify);
  auto r1 = w.stack.start_app("tew-reminder", "reminder", remind);
  auto r2 = w.stack.start_app("tew-reminder", "reminder", remind);
  const auto all = [&] { return logs({&n1, &n2, &r1, &r2}, w); };

  // Each replica's sidecar runs the reminder-tick cron, so both replicas tick.
  constexpr int kTasks = 6;
  for (int i = 0; i < kTasks; ++i) {
    const auto id = "t-" + std::to_string(i);
    const auto event = task_event(
        "task.created", id, {{"title", "task " + id}, {"remind_at", now_plus(8s + i * 1s)}}, 1);
    for (int copy = 0; copy < 3; ++copy)
      REQUIRE(w.publish("c-" + id, event) == 204);
  }
  const auto done = [&] {
    for (int i = 0; i < kTasks; ++i)
      if (notifications(hook.requests(), "t-" + std::to_string(i), "reminder.due") == 0)
        return false;
    return true;
  };
  REQUIRE_MESSAGE(wait_until(done, kDelivery + 20s), all());
  std::this_thread::sleep_for(kQuiet);
  for (int i = 0; i < kTasks; ++i) {
    const auto id = "t-" + std::to_string(i);
    CAPTURE(id);
    CHECK_MESSAGE(w.seen("reminders", "reminder.due", id).size() == 1, all());
    CHECK(notifications(hook.requests(), id, "reminder.due") == 1);
    CHECK(notifications(hook.requests(), id, "task.created") == 1);
  }
  CHECK(hook.requests().size() == 2 * kTasks);
  CHECK(count_lines(r1.log(), {"reminder tick"}) > 0);  // both replicas ticked
  CHECK(count_lines(r2.log(), {"reminder tick"}) > 0);
  CHECK(count_lines(r1.log() + r2.log(), {"reminder.due published"}) == kTasks);
}
