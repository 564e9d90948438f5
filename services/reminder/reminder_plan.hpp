// The reminder domain, pure: from a task event and the record stored for its task, the record
// to store. A task with remind_at (or a due_date, minus the lead time) is scheduled; a new time
// reschedules; completion, deletion or no time at all cancels; an event older than the stored
// revision changes nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "tew/due_index.hpp"
#include "tew/task_event.hpp"

namespace reminder {

// remind_at; else due_date - lead_time; else none.
std::optional<tew::Timestamp> reminder_time(const tew::Task& task, std::chrono::seconds lead_time);

// True for an event after which the task needs no reminder: task.completed, task.deleted, or
// a task marked is_complete.
bool ends_reminders(const tew::TaskEvent& event);

// The record to store, or nullopt to keep the stored one. At an equal revision only a
// cancellation applies (a task completed without a version bump is still not reminded). A
// reminder time that already fired (or was missed) keeps that state: updating a task's title,
// or reopening it, does not remind twice at the same time. Cancelled records are kept as
// tombstones, so an older event arriving later cannot schedule the task again.
std::optional<tew::DueRecord> plan_reminder(const tew::TaskEvent& event,
                                            std::string_view traceparent,
                                            const std::optional<tew::DueRecord>& stored,
                                            std::chrono::seconds lead_time);

}  // namespace reminder
