// Task events as the task backend publishes them (through daprd, so the CloudEvent type is
// com.dapr.event.sent and data.event_type tells the kind), for the recurring service's tests.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "recurring/series_event.hpp"
#include "tew/rfc3339.hpp"

namespace tew::recurring::testing {

inline constexpr std::string_view kUser = "u-7f3c2a91";

// task_data of a task due at `due` that recurs by `rule` ("" for none) in `zone` ("" for none).
inline nlohmann::json recurring_task(std::string_view id, std::string_view due,
                                     std::string_view rule,
                                     std::string_view zone = "Europe/Berlin") {
  nlohmann::json task = {{"id", id},
                         {"title", "Water the plants"},
                         {"description", "the ones on the balcony"},
                         {"is_complete", false},
                         {"due_date", due}};
  if (!rule.empty()) task["recurrence"] = rule;
  if (!zone.empty()) task["timezone"] = zone;
  return task;
}

inline CloudEvent delivery(std::string_view event_id, std::string_view event_type,
                           nlohmann::json task_data, std::string_view timestamp) {
  CloudEvent e;
  e.id = std::string(event_id);
  e.source = "task-api";
  e.type = "com.dapr.event.sent";
  e.time = parse_rfc3339(timestamp).value();
  e.datacontenttype = "application/json";
  e.extensions = {{"topic", "task-events"},
                  {"pubsubname", "pubsub"},
                  {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  const auto task_id = task_data.value("id", std::string{});
  if (event_type == "task.completed") task_data["is_complete"] = true;
  e.data = nlohmann::json{{"event_type", event_type},
                          {"task_id", task_id},
                          {"user_id", kUser},
                          {"timestamp", timestamp},
                          {"task_data", std::move(task_data)}};
  return e;
}

inline SeriesEvent series_event(const CloudEvent& e) {
  auto input = parse_recurring_input(e);
  REQUIRE_MESSAGE(input.has_value(), (input ? std::string() : input.error().describe()));
  REQUIRE(std::holds_alternative<SeriesEvent>(*input));
  return std::get<SeriesEvent>(*input);
}

inline SeriesEvent series_event(std::string_view event_type, nlohmann::json task_data,
                                std::string_view timestamp) {
  return series_event(delivery("evt", event_type, std::move(task_data), timestamp));
}

}  // namespace tew::recurring::testing
