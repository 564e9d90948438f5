#include "notification/notification.hpp"

#include <fmt/format.h>

#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"

namespace tew::notification {

namespace {

struct Names {
  Kind kind;
  std::string_view event_type;
};

constexpr Names kNames[] = {{Kind::task_created, "task.created"},
                            {Kind::task_updated, "task.updated"},
                            {Kind::task_completed, "task.completed"},
                            {Kind::task_deleted, "task.deleted"},
                            {Kind::reminder_due, "reminder.due"}};

// How a task is named in text: its title, or its id when it has none.
std::string task_name(const Task* task, std::string_view task_id) {
  if (task && !task->title.empty()) return task->title;
  return fmt::format("Task {}", task_id);
}

std::string due_sentence(const std::optional<Timestamp>& due) {
  return due ? fmt::format(" It is due {}.", format_rfc3339(*due)) : std::string{};
}

void write_task_text(Notification& n, const TaskEvent& e) {
  const auto name = task_name(&e.task, e.task_id);
  switch (e.event_type) {
    case TaskEventType::created:
      n.title = "New task: " + name;
      n.body = name + " was added to your tasks." + due_sentence(e.task.due_date);
      return;
    case TaskEventType::updated:
      n.title = "Task updated: " + name;
      n.body = name + " was changed." + due_sentence(e.task.due_date);
      return;
    case TaskEventType::completed:
      n.title = "Task completed: " + name;
      n.body = name + " is done.";
      return;
    case TaskEventType::deleted:
      n.title = "Task deleted: " + name;
      n.body = name + " was deleted.";
      return;
  }
}

void write_reminder_text(Notification& n, const ReminderDueEvent& e) {
  const auto name = task_name(e.task ? &*e.task : nullptr, e.task_id);
  n.title = "Reminder: " + name;
  const auto due = e.due_date ? e.due_date : (e.task ? e.task->due_date : std::nullopt);
  n.body = due ? fmt::format("{} is due {}.", name, format_rfc3339(*due))
               : fmt::format("Reminder for {}.", name);
  if (e.late)
    n.body +=
        fmt::format(" This reminder is late: it was set for {}.", format_rfc3339(e.remind_at));
}

}  // namespace

std::string_view to_string(Kind kind) {
  for (const auto& n : kNames)
    if (n.kind == kind) return n.event_type;
  return "unknown";
}

std::optional<Kind> kind_from(std::string_view event_type) {
  for (const auto& n : kNames)
    if (n.event_type == event_type) return n.kind;
  return std::nullopt;
}

Kind kind_of(const Trigger& trigger) {
  if (std::holds_alternative<ReminderDueEvent>(trigger)) return Kind::reminder_due;
  return kind_from(tew::to_string(std::get<TaskEvent>(trigger).event_type)).value();
}

std::string notification_id(const CloudEvent& event, std::string_view channel) {
  return derive_id({event.source, event.id, "notification", channel});
}

Notification compose(const Trigger& trigger, const CloudEvent& event, std::string_view channel) {
  Notification n;
  n.notification_id = notification_id(event, channel);
  n.kind = kind_of(trigger);
  n.channel = std::string(channel);
  std::visit(
      [&](const auto& e) {
        n.user_id = e.user_id;
        n.task_id = e.task_id;
        n.created_at = event.time.value_or(e.timestamp);
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, TaskEvent>)
          write_task_text(n, e);
        else
          write_reminder_text(n, e);
      },
      trigger);
  return n;
}

nlohmann::json to_json(const Notification& n) {
  return {{"notification_id", n.notification_id},
          {"user_id", n.user_id},
          {"task_id", n.task_id},
          {"kind", to_string(n.kind)},
          {"title", n.title},
          {"body", n.body},
          {"channel", n.channel},
          {"created_at", format_rfc3339(n.created_at)}};
}

}  // namespace tew::notification
