// Which of two states of a task is newer, so a late, out-of-order event never overwrites
// newer state: by task version when both have one, else by updated_at, else by the event's
// timestamp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "tew/clock.hpp"
#include "tew/task_event.hpp"

namespace reminder {

struct Revision {
  std::optional<std::int64_t> version;
  std::optional<tew::Timestamp> updated_at;
  tew::Timestamp event_time;
  friend bool operator==(const Revision&, const Revision&) = default;
};

Revision revision_of(const tew::TaskEvent& event);

// Negative when `a` is older than `b`, zero when neither is newer, positive when newer.
int compare(const Revision& a, const Revision& b);

nlohmann::json to_json(const Revision& revision);
// nullopt for anything that is not a revision written by to_json.
std::optional<Revision> revision_from_json(const nlohmann::json& doc);

}  // namespace reminder
