// The log channel: one structured line per notification, with the event's trace fields.
#include "notification/log_channel.hpp"

#include <doctest/doctest.h>

#include "captured_log.hpp"
#include "run_awaitable.hpp"
#include "sample_notification.hpp"

TEST_CASE("the log channel writes the notification as one JSON line and always delivers") {
  tew::testing::CapturedLog log({"notification", tew::LogFormat::json, spdlog::level::info});
  const auto n = tew::notification::testing::sample_notification("log");
  tew::CloudEvent cause;
  cause.id = "e-1";
  cause.source = "task-api";
  cause.type = "com.dapr.event.sent";
  cause.extensions = {{"topic", "task-events"},
                      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};

  tew::notification::LogChannel channel;
  const auto d = tew::testing::run_awaitable(channel.deliver(n, cause));
  CHECK(d.status == tew::notification::DeliveryStatus::delivered);

  const auto line = nlohmann::json::parse(log.only_line());
  CHECK(line["msg"] == "notification");
  CHECK(line["level"] == "info");
  CHECK(line["notification_id"] == "6f1e3c2a-0d4b-5e8f-9a7c-1b2d3e4f5a6b");
  CHECK(line["user_id"] == "u-1");
  CHECK(line["task_id"] == "t-1");
  CHECK(line["kind"] == "reminder.due");
  CHECK(line["title"] == "Reminder: Buy milk");
  CHECK(line["body"] == "Buy milk is due 2026-03-03T17:00:00Z.");
  CHECK(line["channel"] == "log");
  CHECK(line["created_at"] == "2026-03-03T16:30:00Z");
  CHECK(line["event_id"] == "e-1");
  CHECK(line["topic"] == "task-events");
  CHECK(line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736");
}
