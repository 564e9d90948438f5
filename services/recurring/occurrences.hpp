// Occurrences of a recurring task: the rule expanded in the task's local wall-clock time from
// DTSTART (the first due date), each occurrence converted to UTC with the RFC 5545 §3.3.5
// rules for DST gaps and overlaps. Pure functions of their arguments; iteration is bounded.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "recurring/local_time.hpp"
#include "recurring/rrule.hpp"

namespace tew::recurring {

// What the next occurrence is counted from (task_data.recurrence_mode); see next_occurrence().
//   due:        the series' own schedule (DTSTART + RRULE): the occurrence after the completed
//               one, however early or late it was completed.
//   completion: the schedule restarted on the day of completion: "every 3 days" means 3 days
//               after it was last done (as "every!" in common to-do apps).
enum class RecurrenceMode { due, completion };

std::string_view to_string(RecurrenceMode mode);  // "due" | "completion"

// A rule placed in time: DTSTART as a local wall-clock time in `zone`.
struct Recurrence {
  RRule rule;
  const date::time_zone* zone = nullptr;
  LocalTime anchor;
};

struct Occurrence {
  LocalTime local;         // nominal wall-clock time (may fall in a DST gap)
  Timestamp start;         // the instant: to_utc(local)
  std::int64_t index = 1;  // 1 for DTSTART, counting every occurrence since (for COUNT)

  friend bool operator==(const Occurrence&, const Occurrence&) = default;
};

Occurrence occurrence_at(const Recurrence& r, LocalTime local, std::int64_t index);

// The first occurrence of `r` whose local time is strictly after `after`, numbered `index`;
// DTSTART itself (r.anchor) is an occurrence even when the rule does not select it (RFC 5545:
// DTSTART always counts as the first). nullopt when COUNT (index > COUNT) or UNTIL ends the
// series first, or the rule yields no later day at all (BYMONTHDAY=31;BYMONTH=2): that is
// known after one 400-year Gregorian cycle of empty periods, or at year 9999.
std::optional<Occurrence> first_after(const Recurrence& r, LocalTime after, std::int64_t index);

// The occurrence that follows `current` (an occurrence of `r`):
//   due:        first_after(r, current.local, current.index + 1).
//   completion: the rule re-anchored at (local date of `completed_at`, r.anchor's time of day),
//               first occurrence strictly after both that anchor and `current.local`, so the
//               series never moves backwards (a task completed early does not get a successor
//               due before itself); COUNT counts it as current.index + 1, UNTIL applies as is.
std::optional<Occurrence> next_occurrence(const Recurrence& r, RecurrenceMode mode,
                                          const Occurrence& current, Timestamp completed_at);

}  // namespace tew::recurring
