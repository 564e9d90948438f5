#include "recurring/occurrences.hpp"

#include <algorithm>

#include "recurring/calendar.hpp"

namespace tew::recurring {

namespace {

constexpr int kLastYear = 9999;  // RFC 3339 (and so every time we publish) ends there

bool beyond_until(const RRule& rule, const Occurrence& o) {
  if (!rule.until) return false;
  if (const auto* day = std::get_if<date::year_month_day>(&*rule.until))
    return date::year_month_day{date::floor<date::days>(o.local)} > *day;
  return o.start > std::get<Timestamp>(*rule.until);
}

}  // namespace

std::string_view to_string(RecurrenceMode mode) {
  return mode == RecurrenceMode::due ? "due" : "completion";
}

Occurrence occurrence_at(const Recurrence& r, LocalTime local, std::int64_t index) {
  return {local, to_utc(local, *r.zone), index};
}

std::optional<Occurrence> first_after(const Recurrence& r, LocalTime after, std::int64_t index) {
  if (r.rule.count && index > *r.rule.count) return std::nullopt;
  if (after < r.anchor) {
    auto dtstart = occurrence_at(r, r.anchor, index);
    if (beyond_until(r.rule, dtstart)) return std::nullopt;
    return dtstart;
  }
  const auto anchor_day = date::floor<date::days>(r.anchor);
  const auto time_of_day = r.anchor - anchor_day;
  const date::year_month_day anchor_date{anchor_day};
  const PeriodSequence periods(r.rule, anchor_day);

  std::int64_t empty_periods = 0;
  // Starts at the period holding `after`: no need to walk the series from DTSTART.
  for (auto k = periods.index_before(date::floor<date::days>(after));; ++k) {
    const auto period = periods.at(k);
    if (date::year_month_day{period.first}.year() > date::year{kLastYear}) return std::nullopt;
    bool selected_any = false;
    for (auto day = period.first; day <= period.last; day += date::days{1}) {
      if (!selects(r.rule, day, anchor_date)) continue;
      selected_any = true;
      const LocalTime local = day + time_of_day;
      if (local <= after) continue;
      auto next = occurrence_at(r, local, index);
      if (beyond_until(r.rule, next)) return std::nullopt;
      return next;
    }
    empty_periods = selected_any ? 0 : empty_periods + 1;
    if (empty_periods >= periods.cycle()) return std::nullopt;
  }
}

std::optional<Occurrence> next_occurrence(const Recurrence& r, RecurrenceMode mode,
                                          const Occurrence& current, Timestamp completed_at) {
  const auto index = current.index + 1;
  if (mode == RecurrenceMode::due) return first_after(r, current.local, index);

  if (r.rule.count && index > *r.rule.count) return std::nullopt;
  const auto time_of_day = r.anchor - date::floor<date::days>(r.anchor);
  Recurrence restarted = r;
  restarted.anchor = date::floor<date::days>(to_local(completed_at, *r.zone)) + time_of_day;
  // Counted from the series' DTSTART above, not from the restart.
  restarted.rule.count.reset();
  return first_after(restarted, std::max(restarted.anchor, current.local), index);
}

}  // namespace tew::recurring
