#include "fault_plan.hpp"

#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"

namespace tew::faults {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using std::chrono::system_clock;

std::string at(system_clock::time_point t) {
  return format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(t));
}

// 09:00 UTC, three days from now: a daily series' occurrence that stays in the future.
system_clock::time_point series_start(system_clock::time_point now) {
  return std::chrono::floor<std::chrono::days>(now) + std::chrono::days(3) + 9h;
}

}  // namespace

std::string webhook_notification_id(const std::string& source, const std::string& event_id) {
  return derive_id({source, event_id, "notification", "webhook"});
}

PlannedEvent FaultPlan::task_event(const std::string& type, const std::string& task_id,
                                   json task_data, int version, system_clock::time_point now) {
  task_data["id"] = task_id;
  task_data["version"] = version;
  task_data["is_complete"] = type == "task.completed";
  const json data{{"event_type", type},   {"task_id", task_id},     {"user_id", "u-faults"},
                  {"timestamp", at(now)}, {"task_data", task_data}, {"metadata", json::object()}};
  PlannedEvent e;
  e.id = run_ + "-e" + std::to_string(next_event_++);
  e.cloud_event = {{"specversion", "1.0"},
                   {"id", e.id},
                   {"source", kBackendSource},
                   {"type", "com.dapr.event.sent"},
                   {"datacontenttype", "application/json"},
                   {"data", data}};
  const auto nid = webhook_notification_id(kBackendSource, e.id);
  expected_.notifications.insert(nid);
  event_notifications_.insert(nid);
  return e;
}

std::vector<PlannedEvent> FaultPlan::events_of(std::size_t i, system_clock::time_point now) {
  const std::string task = run_ + "-t" + std::to_string(i);
  const auto soon_at = now + 20s + std::chrono::seconds(3 * (i % 7));
  const auto expect_reminder = [&](const std::string& remind_at) {
    const auto id = derive_id({"reminder.due", task, remind_at});
    expected_.reminders.insert(id);
    expected_.reminder_times[id] = soon_at;
    expected_.notifications.insert(webhook_notification_id(kReminderSource, id));
  };
  // Due while the stream and its faults go on: 20 to 38 s after publishing.
  const auto soon = at(soon_at);
  const auto later = at(now + 1h);  // never due during the run
  std::vector<PlannedEvent> out;
  const auto kind = i % 20;
  if (kind < 10) {  // a reminder that fires
    out.push_back(task_event("task.created", task,
                             {{"title", "remind " + task}, {"remind_at", soon}}, 1, now));
    expect_reminder(soon);
  } else if (kind < 13) {  // rescheduled: only the new time fires
    out.push_back(task_event("task.created", task,
                             {{"title", "move " + task}, {"remind_at", later}}, 1, now));
    out.push_back(task_event("task.updated", task,
                             {{"title", "moved " + task}, {"remind_at", soon}}, 2, now));
    expect_reminder(soon);
  } else if (kind < 15) {  // deleted before its reminder
    out.push_back(task_event("task.created", task,
                             {{"title", "delete " + task}, {"remind_at", later}}, 1, now));
    out.push_back(task_event("task.deleted", task, {{"title", "delete " + task}}, 2, now));
  } else if (kind < 19) {  // a daily series: completing it spawns the next occurrence once
    const auto due = series_start(now);
    const json rule{{"title", "daily " + task},
                    {"due_date", at(due)},
                    {"recurrence", "daily"},
                    {"timezone", "UTC"}};
    out.push_back(task_event("task.created", task, rule, 1, now));
    out.push_back(task_event("task.completed", task, rule, 2, now));
    const auto spawn = derive_id({task, at(due + std::chrono::days(1))});
    expected_.spawned_tasks.insert(spawn);
    expected_.spawn_sources[spawn] = task;
  } else {  // no reminder at all
    out.push_back(task_event("task.created", task, {{"title", "plain " + task}}, 1, now));
  }
  if (i % 50 == 25) {  // poisoned: no task_id; every service DROPs it
    auto poison = task_event("task.created", run_ + "-poison" + std::to_string(i),
                             {{"title", "poison"}}, 1, now);
    poison.cloud_event["data"].erase("task_id");
    poison.poison = true;
    const auto nid = webhook_notification_id(kBackendSource, poison.id);
    expected_.notifications.erase(nid);
    event_notifications_.erase(nid);
    expected_.dead_letters.insert(poison.id);
    out.push_back(std::move(poison));
  }
  return out;
}

}  // namespace tew::faults
