#include "recurring/series.hpp"

#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"

namespace tew::recurring {

namespace {

using nlohmann::json;

constexpr int kRecordVersion = 1;

std::optional<SeriesState> state_from(std::string_view text) {
  for (const auto s :
       {SeriesState::active, SeriesState::ended, SeriesState::stopped, SeriesState::deleted})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

json occurrence_json(const Occurrence& o) {
  return {{"start", format_rfc3339(o.start)}, {"local", format_local(o.local)}, {"index", o.index}};
}

json order_json(const EventOrder& o) {
  json out = {{"task_id", o.task_id}, {"timestamp", format_rfc3339(o.timestamp)}};
  if (o.version) out["version"] = *o.version;
  if (o.updated_at) out["updated_at"] = format_rfc3339(*o.updated_at);
  return out;
}

// Reads a stored record; the first problem is kept and reported once, naming the field.
class RecordReader {
 public:
  explicit RecordReader(const json& doc) : doc_(doc) {}

  const json& object(const json& in, std::string_view name) {
    static const json kEmpty = json::object();
    const auto it = in.find(name);
    if (it == in.end() || !it->is_object()) {
      fail(name, "is not an object");
      return kEmpty;
    }
    return *it;
  }
  std::string text(const json& in, std::string_view name) {
    const auto it = in.find(name);
    if (it == in.end() || !it->is_string()) {
      fail(name, "is not a string");
      return {};
    }
    return it->get<std::string>();
  }
  std::int64_t integer(const json& in, std::string_view name) {
    const auto it = in.find(name);
    if (it == in.end() || !it->is_number_integer()) {
      fail(name, "is not an integer");
      return 0;
    }
    return it->get<std::int64_t>();
  }
  bool flag(const json& in, std::string_view name) {
    const auto it = in.find(name);
    if (it == in.end() || !it->is_boolean()) {
      fail(name, "is not a boolean");
      return false;
    }
    return it->get<bool>();
  }
  Timestamp time(const json& in, std::string_view name) {
    auto t = parse_rfc3339(text(in, name), name);
    if (!t) {
      fail(name, t.error().message);
      return {};
    }
    return *t;
  }
  LocalTime local(const json& in, std::string_view name) {
    auto t = parse_local(text(in, name), name);
    if (!t) {
      fail(name, t.error().message);
      return {};
    }
    return *t;
  }
  Occurrence occurrence(const json& in) {
    return {local(in, "local"), time(in, "start"), integer(in, "index")};
  }
  void fail(std::string_view name, std::string why) {
    if (!error_) error_ = std::string(name) + " " + why;
  }
  const std::optional<std::string>& error() const { return error_; }
  const json& doc() const { return doc_; }

 private:
  const json& doc_;
  std::optional<std::string> error_;
};

Error unreadable(std::string why) {
  return Error::unavailable(std::string(kSeriesSubject),
                            "unreadable series record: " + std::move(why));
}

}  // namespace

std::string_view to_string(SeriesState state) {
  switch (state) {
    case SeriesState::active:
      return "active";
    case SeriesState::ended:
      return "ended";
    case SeriesState::stopped:
      return "stopped";
    case SeriesState::deleted:
      return "deleted";
  }
  return "active";
}

bool is_older(const EventOrder& a, const EventOrder& b) {
  if (a.version && b.version) return *a.version < *b.version;
  if (a.updated_at && b.updated_at) return *a.updated_at < *b.updated_at;
  return a.timestamp < b.timestamp;
}

json to_json(const Series& s) {
  json out = {
      {"schema_version", kRecordVersion}, {"series_id", s.id}, {"state", to_string(s.state)}};
  if (s.zone == nullptr) return out;  // a tombstone: nothing else is known
  out["rule"] = s.rule_text;
  out["timezone"] = s.timezone;
  out["mode"] = to_string(s.mode);
  out["spawn_on_schedule"] = s.spawn_on_schedule;
  out["anchor"] = format_local(s.anchor);
  out["current"] = occurrence_json(s.current);
  out["current"]["task_id"] = s.current_task_id;
  if (s.next) out["next"] = occurrence_json(*s.next);
  if (s.last_change) out["last_change"] = order_json(*s.last_change);
  out["task"] = {
      {"user_id", s.task.user_id}, {"title", s.task.title}, {"description", s.task.description}};
  if (s.task.remind_before_seconds)
    out["task"]["remind_before_seconds"] = *s.task.remind_before_seconds;
  if (s.skipped_occurrences > 0) out["skipped_occurrences"] = s.skipped_occurrences;
  if (s.pending_trigger) out["pending_trigger"] = *s.pending_trigger;
  return out;
}

Result<Series> parse_series(const json& doc) {
  if (!doc.is_object()) return unreadable("not an object");
  RecordReader in(doc);
  if (in.integer(doc, "schema_version") != kRecordVersion)
    return unreadable("schema_version is not " + std::to_string(kRecordVersion));
  Series s;
  s.id = in.text(doc, "series_id");
  const auto state = state_from(in.text(doc, "state"));
  if (in.error()) return unreadable(*in.error());
  if (!state) return unreadable("state is not one of active, ended, stopped, deleted");
  s.state = *state;
  if (s.state == SeriesState::deleted && !doc.contains("rule")) return s;

  s.rule_text = in.text(doc, "rule");
  s.timezone = in.text(doc, "timezone");
  const auto mode = in.text(doc, "mode");
  s.spawn_on_schedule = in.flag(doc, "spawn_on_schedule");
  s.anchor = in.local(doc, "anchor");
  const auto& current = in.object(doc, "current");
  s.current = in.occurrence(current);
  s.current_task_id = in.text(current, "task_id");
  if (doc.contains("next")) s.next = in.occurrence(in.object(doc, "next"));
  if (doc.contains("last_change")) {
    const auto& order = in.object(doc, "last_change");
    EventOrder o{in.text(order, "task_id"), std::nullopt, std::nullopt,
                 in.time(order, "timestamp")};
    if (order.contains("version")) o.version = in.integer(order, "version");
    if (order.contains("updated_at")) o.updated_at = in.time(order, "updated_at");
    s.last_change = std::move(o);
  }
  const auto& task = in.object(doc, "task");
  s.task = {in.text(task, "user_id"), in.text(task, "title"), in.text(task, "description"),
            std::nullopt};
  if (task.contains("remind_before_seconds"))
    s.task.remind_before_seconds = in.integer(task, "remind_before_seconds");
  if (doc.contains("skipped_occurrences"))
    s.skipped_occurrences = in.integer(doc, "skipped_occurrences");
  if (doc.contains("pending_trigger")) s.pending_trigger = in.object(doc, "pending_trigger");
  if (in.error()) return unreadable(*in.error());

  if (mode != "due" && mode != "completion") return unreadable("mode is not due or completion");
  s.mode = mode == "due" ? RecurrenceMode::due : RecurrenceMode::completion;
  auto rule = parse_rrule(s.rule_text, "rule");
  if (!rule) return unreadable(rule.error().describe());
  s.rule = std::move(*rule);
  auto zone = find_time_zone(s.timezone, "timezone");
  if (!zone) return unreadable(zone.error().describe());
  s.zone = *zone;
  return s;
}

std::string spawned_task_id(std::string_view series_id, Timestamp occurrence_start) {
  return derive_id({series_id, format_rfc3339(occurrence_start)});
}

std::string trigger_event_id(std::string_view series_id, Timestamp occurrence_start) {
  return derive_event_id(series_id, format_rfc3339(occurrence_start), "recurring.trigger");
}

}  // namespace tew::recurring
