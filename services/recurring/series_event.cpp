#include "recurring/series_event.hpp"

#include "tew/rfc3339.hpp"

namespace tew::recurring {

namespace {

using nlohmann::json;

// The fields of task_data that only the recurring service reads, from Task::raw. A null counts
// as absent, as in parse_task.
class ExtraFields {
 public:
  explicit ExtraFields(const json& raw) : raw_(raw) {}

  Result<std::optional<std::string>> text(std::string_view name) const {
    const auto* value = find(name);
    if (!value) return std::optional<std::string>{};
    if (!value->is_string() || value->get_ref<const std::string&>().empty())
      return fail(name, "must be a non-empty string");
    return std::optional<std::string>{value->get<std::string>()};
  }

  Result<std::optional<Timestamp>> time(std::string_view name) const {
    const auto* value = find(name);
    if (!value) return std::optional<Timestamp>{};
    if (!value->is_string()) return fail(name, "must be an RFC 3339 time");
    auto t = parse_rfc3339(value->get_ref<const std::string&>(), subject(name));
    if (!t) return t.error();
    return std::optional<Timestamp>{*t};
  }

  Result<std::optional<std::int64_t>> positive_integer(std::string_view name) const {
    const auto* value = find(name);
    if (!value) return std::optional<std::int64_t>{};
    if (!value->is_number_integer() || value->get<std::int64_t>() < 1)
      return fail(name, "must be a whole number from 1");
    return std::optional<std::int64_t>{value->get<std::int64_t>()};
  }

  Result<bool> flag(std::string_view name) const {
    const auto* value = find(name);
    if (!value) return false;
    if (!value->is_boolean()) return fail(name, "must be true or false");
    return value->get<bool>();
  }

 private:
  const json* find(std::string_view name) const {
    const auto it = raw_.find(name);
    return it == raw_.end() || it->is_null() ? nullptr : &*it;
  }
  static std::string subject(std::string_view name) { return "task_data." + std::string(name); }
  static Error fail(std::string_view name, std::string why) {
    return Error::invalid(subject(name), std::move(why));
  }

  const json& raw_;
};

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

Result<RecurrenceMode> mode_of(const Task& task) {
  const auto text = task.recurrence_mode.value_or("");
  if (text.empty() || text == "due") return RecurrenceMode::due;
  if (text == "completion") return RecurrenceMode::completion;
  return Error::invalid("task_data.recurrence_mode",
                        "must be \"due\" or \"completion\", not \"" + text.substr(0, 40) + "\"");
}

// nullopt: the task does not recur.
Result<std::optional<TaskRecurrence>> recurrence_of(const Task& task, const ExtraFields& extra) {
  if (!task.recurrence) return std::optional<TaskRecurrence>{};
  const auto text = trimmed(*task.recurrence);
  if (text.empty()) return std::optional<TaskRecurrence>{};
  TaskRecurrence r;
  r.rule_text = std::string(text);
  auto rule = parse_rrule(text, "task_data.recurrence");
  if (!rule) return rule.error();
  r.rule = std::move(*rule);
  r.timezone = task.timezone && !task.timezone->empty() ? *task.timezone : "UTC";
  auto zone = find_time_zone(r.timezone, "task_data.timezone");
  if (!zone) return zone.error();
  r.zone = *zone;
  auto mode = mode_of(task);
  if (!mode) return mode.error();
  r.mode = *mode;
  auto scheduled = extra.flag("spawn_on_schedule");
  if (!scheduled) return scheduled.error();
  r.spawn_on_schedule = *scheduled;
  if (!task.due_date)
    return Error::invalid("task_data.due_date",
                          "is required for a recurring task: it is the first occurrence");
  return std::optional<TaskRecurrence>{std::move(r)};
}

Result<SeriesEvent> series_event(TaskEvent&& event) {
  SeriesEvent out;
  const ExtraFields extra(event.task.raw);
  auto series_id = extra.text("series_id");
  if (!series_id) return series_id.error();
  auto parent_id = extra.text("parent_task_id");
  if (!parent_id) return parent_id.error();
  out.series_id = *series_id ? *series_id : *parent_id;
  auto start = extra.time("occurrence_start");
  if (!start) return start.error();
  out.occurrence_start = *start;
  auto index = extra.positive_integer("occurrence_index");
  if (!index) return index.error();
  out.occurrence_index = *index;
  if (event.event_type != TaskEventType::deleted) {
    auto recurrence = recurrence_of(event.task, extra);
    if (!recurrence) return recurrence.error();
    out.recurrence = std::move(*recurrence);
  }
  out.event = std::move(event);
  return out;
}

}  // namespace

Result<RecurringInput> parse_recurring_input(const CloudEvent& cloud_event) {
  return parse_recurring_input(CloudEvent(cloud_event));
}

Result<RecurringInput> parse_recurring_input(CloudEvent&& cloud_event) {
  auto data = std::move(cloud_event).payload_json();
  if (!data) return data.error();
  if (data->is_object()) {
    const auto type = data->find("event_type");
    if (type != data->end() && type->is_string() &&
        !task_event_type_from(type->get_ref<const std::string&>()))
      return RecurringInput{IgnoredEvent{type->get<std::string>()}};
  }
  auto event = parse_task_event(std::move(*data));
  if (!event) return event.error();
  auto series = series_event(std::move(*event));
  if (!series) return series.error();
  return RecurringInput{std::move(*series)};
}

}  // namespace tew::recurring
