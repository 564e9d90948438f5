#include "recurring/scheduled_spawn.hpp"

#include "tew/rfc3339.hpp"

namespace tew::recurring {

std::optional<Timestamp> scheduled_spawn_time(const Series& s, std::chrono::seconds lookahead) {
  if (s.state != SeriesState::active || !s.spawn_on_schedule || s.mode != RecurrenceMode::due ||
      !s.next || s.zone == nullptr)
    return std::nullopt;
  return s.next->start - lookahead;
}

ScheduledDecision decide_scheduled(const std::optional<Series>& stored, Timestamp now,
                                   std::chrono::seconds lookahead) {
  if (!stored) return {{}, {}, "no series record"};
  const auto at = scheduled_spawn_time(*stored, lookahead);
  if (!at) return {{}, {}, "not spawned on schedule"};
  if (*at > now) return {{}, {}, "not before " + format_rfc3339(*at)};

  Series s = *stored;
  Occurrence target = *s.next;
  std::int64_t skipped = 0;
  while (target.start <= now && skipped < kMaxSkippedPerSpawn) {
    const auto later = first_after(s.recurrence(), target.local, target.index + 1);
    if (!later || later->start > now) break;
    target = *later;
    ++skipped;
  }
  auto spawn = advance(s, target, "");
  spawn.skipped = skipped;
  s.skipped_occurrences += skipped;
  std::string note = "spawned on schedule the occurrence at " + format_rfc3339(target.start);
  if (target.start <= now) note += " (late)";
  if (skipped > 0) note += ", skipped " + std::to_string(skipped) + " earlier ones";
  return {std::move(s), std::move(spawn), std::move(note)};
}

}  // namespace tew::recurring
