#include "tew/task_event.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

#include "tew/json.hpp"
#include "tew/rfc3339.hpp"

namespace tew {

namespace {

using nlohmann::json;

constexpr std::string_view kReminderDueType = "reminder.due";

// Reads the members of one JSON object, validating each; the first failure is kept and the
// readers after it return defaults, so a parser reads every field and checks once at the end.
// Subjects are `prefix` + the member name ("task_data.due_date").
class FieldReader {
 public:
  FieldReader(json::object_t& members, std::string_view prefix)
      : members_(members), prefix_(prefix) {}

  const std::optional<Error>& error() const { return error_; }

  void fail(std::string_view name, std::string message) {
    if (error_) return;  // the first failure is the one reported
    error_ = Error::invalid(std::string(prefix_) + std::string(name), std::move(message));
  }

  std::optional<std::string> optional_string(std::string_view name) {
    const std::string* text = string_member(name);
    if (!text) return std::nullopt;
    return *text;
  }

  std::string required_string(std::string_view name) {
    if (!find(name)) {
      fail(name, "is required");
      return {};
    }
    auto text = optional_string(name).value_or("");
    if (text.empty()) fail(name, "must not be empty");
    return text;
  }

  std::optional<Timestamp> optional_time(std::string_view name) {
    const std::string* text = string_member(name);
    if (!text) return std::nullopt;
    auto time = parse_rfc3339(*text, {});
    if (!time) {
      fail(name, time.error().message);  // the subject is built only on failure
      return std::nullopt;
    }
    return *time;
  }

  Timestamp required_time(std::string_view name) {
    if (!find(name)) {
      fail(name, "is required");
      return {};
    }
    return optional_time(name).value_or(Timestamp{});
  }

  bool boolean(std::string_view name, bool fallback) {
    const json* value = find(name);
    if (!value) return fallback;
    if (!value->is_boolean()) {
      fail(name, "must be true or false");
      return fallback;
    }
    return value->get<bool>();
  }

  std::optional<std::int64_t> optional_integer(std::string_view name) {
    const json* value = find(name);
    if (!value) return std::nullopt;
    if (value->is_number_unsigned()) {
      const auto number = value->get<std::uint64_t>();
      if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(name, "is out of range");
        return std::nullopt;
      }
      return static_cast<std::int64_t>(number);
    }
    if (!value->is_number_integer()) {
      fail(name, "must be an integer, not " + json_excerpt(*value));
      return std::nullopt;
    }
    return value->get<std::int64_t>();
  }

  int schema_version() {
    const auto version = optional_integer("schema_version");
    if (!version) return kTaskEventSchemaVersion;
    if (*version < 1) {
      fail("schema_version", "must be at least 1");
    } else if (*version > kTaskEventSchemaVersion) {
      fail("schema_version", "version " + std::to_string(*version) +
                                 " is newer than this build reads (" +
                                 std::to_string(kTaskEventSchemaVersion) + ")");
    }
    return static_cast<int>(std::clamp<std::int64_t>(*version, 1, kTaskEventSchemaVersion));
  }

  // Moves an object member out; nullopt when absent (or null) or not an object.
  std::optional<json> take_object(std::string_view name, bool required) {
    json* value = find(name);
    if (!value) {
      if (required) fail(name, "is required");
      return std::nullopt;
    }
    if (!value->is_object()) {
      fail(name, "must be an object");
      return std::nullopt;
    }
    return std::move(*value);
  }

 private:
  // The member's text; nullptr when it is absent or null, or (a failure) not a string.
  const std::string* string_member(std::string_view name) {
    const json* value = find(name);
    if (!value) return nullptr;
    if (!value->is_string()) {
      fail(name, "must be a string");
      return nullptr;
    }
    return &value->get_ref<const std::string&>();
  }

  // The member's value; nullptr when it is absent or null (null counts as absent).
  json* find(std::string_view name) {
    const auto it = members_.find(name);
    if (it == members_.end() || it->second.is_null()) return nullptr;
    return &it->second;
  }

  json::object_t& members_;
  std::string_view prefix_;
  std::optional<Error> error_;
};

// An unset field is written as null only where `out` already has it (so raw keeps its shape).
template <class T>
void write_optional(json& out, const char* name, const std::optional<T>& value) {
  if (value) {
    if constexpr (std::is_same_v<T, Timestamp>) {
      out[name] = format_rfc3339(*value);
    } else {
      out[name] = *value;
    }
  } else if (out.contains(name)) {
    out[name] = nullptr;
  }
}

// The typed fields of `task`, written over `out` in canonical form.
void write_task_fields(json& out, const Task& task) {
  out["id"] = task.id;
  out["title"] = task.title;
  out["description"] = task.description;
  out["is_complete"] = task.is_complete;
  write_optional(out, "due_date", task.due_date);
  write_optional(out, "remind_at", task.remind_at);
  write_optional(out, "recurrence", task.recurrence);
  write_optional(out, "timezone", task.timezone);
  write_optional(out, "recurrence_mode", task.recurrence_mode);
  write_optional(out, "updated_at", task.updated_at);
  write_optional(out, "version", task.version);
}

// What write_task_fields(raw, task) would change, for a `task` parse_task has just read out of
// `raw`, changing only that: the reader took every string, bool and integer as it stands in raw,
// and a member it read as unset is absent or null (write_task_fields leaves both so). Left to
// write: the defaults of title, description and is_complete where raw lacks them, and times not
// already in format_rfc3339's form. (An integer keeps its number; only its JSON type may differ.)
void canonicalize_read_fields(json::object_t& raw, const Task& task) {
  const auto unset = [&raw](const char* name) {
    const auto it = raw.find(name);
    return it == raw.end() || it->second.is_null();
  };
  if (unset("title")) raw["title"] = task.title;
  if (unset("description")) raw["description"] = task.description;
  if (unset("is_complete")) raw["is_complete"] = task.is_complete;
  const auto time = [&raw](const char* name, const std::optional<Timestamp>& value) {
    if (!value) return;
    auto& member = raw[name];
    auto text = format_rfc3339(*value);
    if (member.get_ref<const std::string&>() != text) member = std::move(text);
  };
  time("due_date", task.due_date);
  time("remind_at", task.remind_at);
  time("updated_at", task.updated_at);
}

Error not_an_object(std::string_view what) {
  return Error::invalid("data", std::string(what) + " must be a JSON object");
}

// task_data.id names the same task as the envelope's task_id; anything else is a producer bug.
std::optional<Error> check_same_task(const Task& task, const std::string& task_id) {
  if (task.id == task_id) return std::nullopt;
  return Error::invalid("task_data.id", "is " + json_excerpt(task.id) + " but task_id is " +
                                            json_excerpt(task_id) + "; they must be equal");
}

}  // namespace

std::string_view to_string(TaskEventType type) {
  switch (type) {
    case TaskEventType::created:
      return "task.created";
    case TaskEventType::updated:
      return "task.updated";
    case TaskEventType::completed:
      return "task.completed";
    case TaskEventType::deleted:
      return "task.deleted";
  }
  return "task.unknown";
}

std::optional<TaskEventType> task_event_type_from(std::string_view text) {
  for (const auto type : {TaskEventType::created, TaskEventType::updated, TaskEventType::completed,
                          TaskEventType::deleted}) {
    if (to_string(type) == text) return type;
  }
  return std::nullopt;
}

Result<Task> parse_task(const json& task_data) {
  return parse_task(json(task_data));
}

Result<Task> parse_task(json&& task_data) {
  if (!task_data.is_object()) return Error::invalid("task_data", "must be an object");
  FieldReader in(task_data.get_ref<json::object_t&>(), "task_data.");
  Task task;
  task.id = in.required_string("id");
  task.title = in.optional_string("title").value_or("");
  task.description = in.optional_string("description").value_or("");
  task.is_complete = in.boolean("is_complete", false);
  task.due_date = in.optional_time("due_date");
  task.remind_at = in.optional_time("remind_at");
  task.recurrence = in.optional_string("recurrence");
  task.timezone = in.optional_string("timezone");
  task.recurrence_mode = in.optional_string("recurrence_mode");
  task.updated_at = in.optional_time("updated_at");
  task.version = in.optional_integer("version");
  if (in.error()) return *in.error();

  canonicalize_read_fields(task_data.get_ref<json::object_t&>(), task);
  task.raw = std::move(task_data);
  return task;
}

Result<TaskEvent> parse_task_event(const json& data) {
  return parse_task_event(json(data));
}

Result<TaskEvent> parse_task_event(json&& data) {
  if (!data.is_object()) return not_an_object("a task event");
  FieldReader in(data.get_ref<json::object_t&>(), "");
  TaskEvent event;
  event.schema_version = in.schema_version();
  const auto type_name = in.required_string("event_type");
  if (const auto type = task_event_type_from(type_name)) {
    event.event_type = *type;
  } else if (!type_name.empty()) {
    in.fail("event_type", "unknown task event type " + json_excerpt(type_name));
  }
  event.task_id = in.required_string("task_id");
  event.user_id = in.required_string("user_id");
  event.timestamp = in.required_time("timestamp");
  auto task_data = in.take_object("task_data", true);
  auto metadata = in.take_object("metadata", false);
  if (in.error()) return *in.error();

  auto task = parse_task(std::move(*task_data));
  if (!task) return task.error();
  if (auto mismatch = check_same_task(*task, event.task_id)) return *mismatch;
  event.task = std::move(*task);
  if (metadata) event.metadata = std::move(*metadata);
  return event;
}

Result<ReminderDueEvent> parse_reminder_due_event(const json& data) {
  return parse_reminder_due_event(json(data));
}

Result<ReminderDueEvent> parse_reminder_due_event(json&& data) {
  if (!data.is_object()) return not_an_object("a reminder.due event");
  FieldReader in(data.get_ref<json::object_t&>(), "");
  ReminderDueEvent event;
  event.schema_version = in.schema_version();
  if (const auto type_name = in.required_string("event_type");
      !type_name.empty() && type_name != kReminderDueType) {
    in.fail("event_type", "must be \"reminder.due\", not " + json_excerpt(type_name));
  }
  event.task_id = in.required_string("task_id");
  event.user_id = in.required_string("user_id");
  event.timestamp = in.required_time("timestamp");
  event.remind_at = in.required_time("remind_at");
  event.due_date = in.optional_time("due_date");
  event.late = in.boolean("late", false);
  auto task_data = in.take_object("task_data", false);
  auto metadata = in.take_object("metadata", false);
  if (in.error()) return *in.error();

  if (task_data) {
    auto task = parse_task(std::move(*task_data));
    if (!task) return task.error();
    if (auto mismatch = check_same_task(*task, event.task_id)) return *mismatch;
    event.task = std::move(*task);
  }
  if (metadata) event.metadata = std::move(*metadata);
  return event;
}

json to_json(const Task& task) {
  json out = task.raw.is_object() ? task.raw : json::object();
  write_task_fields(out, task);
  return out;
}

json to_json(const TaskEvent& event) {
  return json{{"schema_version", event.schema_version},
              {"event_type", to_string(event.event_type)},
              {"task_id", event.task_id},
              {"user_id", event.user_id},
              {"timestamp", format_rfc3339(event.timestamp)},
              {"task_data", to_json(event.task)},
              {"metadata", event.metadata}};
}

json to_json(const ReminderDueEvent& event) {
  json out{{"schema_version", event.schema_version},
           {"event_type", kReminderDueType},
           {"task_id", event.task_id},
           {"user_id", event.user_id},
           {"timestamp", format_rfc3339(event.timestamp)},
           {"remind_at", format_rfc3339(event.remind_at)},
           {"late", event.late},
           {"metadata", event.metadata}};
  if (event.due_date) out["due_date"] = format_rfc3339(*event.due_date);
  if (event.task) out["task_data"] = to_json(*event.task);
  return out;
}

}  // namespace tew
