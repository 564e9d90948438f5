#include "reminder/revision.hpp"

#include "tew/rfc3339.hpp"

namespace reminder {

namespace {

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

std::optional<tew::Timestamp> time_member(const nlohmann::json& doc, const char* name) {
  const auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  auto parsed = tew::parse_rfc3339(it->get<std::string>(), name);
  if (!parsed) return std::nullopt;
  return *parsed;
}

}  // namespace

Revision revision_of(const tew::TaskEvent& event) {
  return {event.task.version, event.task.updated_at, event.timestamp};
}

int compare(const Revision& a, const Revision& b) {
  if (a.version && b.version) return three_way(*a.version, *b.version);
  if (a.updated_at && b.updated_at) return three_way(*a.updated_at, *b.updated_at);
  return three_way(a.event_time, b.event_time);
}

nlohmann::json to_json(const Revision& revision) {
  nlohmann::json doc = {{"event_time", tew::format_rfc3339(revision.event_time)}};
  if (revision.version) doc["version"] = *revision.version;
  if (revision.updated_at) doc["updated_at"] = tew::format_rfc3339(*revision.updated_at);
  return doc;
}

std::optional<Revision> revision_from_json(const nlohmann::json& doc) {
  if (!doc.is_object()) return std::nullopt;
  const auto event_time = time_member(doc, "event_time");
  if (!event_time) return std::nullopt;
  Revision revision;
  revision.event_time = *event_time;
  revision.updated_at = time_member(doc, "updated_at");
  if (const auto v = doc.find("version"); v != doc.end() && v->is_number_integer())
    revision.version = v->get<std::int64_t>();
  return revision;
}

}  // namespace reminder
