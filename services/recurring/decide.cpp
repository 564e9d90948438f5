#include "recurring/decide.hpp"

#include "tew/rfc3339.hpp"

namespace tew::recurring {

namespace {

enum class Position { current, earlier, later };

Position position_of(const Series& s, const SeriesEvent& e) {
  if (e.event.task.id == s.current_task_id) return Position::current;
  const auto slot = e.slot();
  if (!slot || *slot < s.current.start) return Position::earlier;
  return *slot == s.current.start ? Position::current : Position::later;
}

EventOrder order_of(const TaskEvent& e) {
  return {e.task.id, e.task.version, e.task.updated_at, e.timestamp};
}

TaskTemplate template_of(const TaskEvent& e) {
  TaskTemplate t{e.user_id, e.task.title, e.task.description, std::nullopt};
  if (e.task.due_date && e.task.remind_at)
    t.remind_before_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(*e.task.due_date - *e.task.remind_at)
            .count();
  return t;
}

Series start_series(const std::string& id, const SeriesEvent& e) {
  const auto& r = *e.recurrence;
  Series s;
  s.id = id;
  s.rule = r.rule;
  s.timezone = r.timezone;
  s.zone = r.zone;
  const auto start = *e.slot();  // a recurring task has a due date (parse_recurring_input)
  s.anchor = to_local(start, *s.zone);
  s.current_task_id = e.event.task.id;
  s.current = {s.anchor, start, e.occurrence_index.value_or(1)};
  return s;
}

// A task we did not know about, later than the current occurrence: events about the series
// were missed (or are still on their way), and this is the newest occurrence we know of.
void adopt(Series& s, const SeriesEvent& e) {
  const auto slot = *e.slot();
  const auto index = e.occurrence_index.value_or(0);
  s.current_task_id = e.event.task.id;
  s.current = {to_local(slot, *s.zone), slot,
               index > s.current.index ? index : s.current.index + 1};
  s.last_change.reset();
}

// A changed rule or zone re-anchors DTSTART at the current occurrence: the new rule applies
// from there on, and COUNT goes on counting from the current occurrence's index.
void apply_recurrence(Series& s, const TaskRecurrence& r) {
  s.rule_text = r.rule_text;
  s.mode = r.mode;
  s.spawn_on_schedule = r.spawn_on_schedule;
  if (s.state == SeriesState::stopped) s.state = SeriesState::active;
  if (r.rule == s.rule && r.timezone == s.timezone) return;
  s.rule = r.rule;
  if (r.timezone != s.timezone) {
    s.timezone = r.timezone;
    s.zone = r.zone;
    s.current.local = to_local(s.current.start, *s.zone);
  }
  s.anchor = s.current.local;
  if (s.state == SeriesState::ended) s.state = SeriesState::active;
}

// Moving the due date of the series' first task (before anything was spawned) moves DTSTART.
// Any later task's slot is fixed: a moved due date overrides that one occurrence only, so the
// slots stay in order and "earlier" keeps its meaning.
void move_first_slot(Series& s, const SeriesEvent& e) {
  const auto& due = e.event.task.due_date;
  if (e.occurrence_start || !due || *due == s.current.start || s.current.index != 1 ||
      e.event.task.id != s.current_task_id)
    return;
  s.current.start = *due;
  s.current.local = to_local(*due, *s.zone);
  s.anchor = s.current.local;
}

// Recomputes `next` and whether the series is over.
void refresh(Series& s) {
  s.next.reset();
  if (s.state == SeriesState::stopped || s.state == SeriesState::deleted) return;
  if (s.mode == RecurrenceMode::due) {
    s.next = first_after(s.recurrence(), s.current.local, s.current.index + 1);
    s.state = s.next ? SeriesState::active : SeriesState::ended;
  } else if (s.rule.count && s.current.index >= *s.rule.count) {
    s.state = SeriesState::ended;
  }
}

std::optional<Spawn> complete(Series& s, const SeriesEvent& e) {
  if (s.state != SeriesState::active) return std::nullopt;
  const auto next = next_occurrence(s.recurrence(), s.mode, s.current, e.event.timestamp);
  if (!next) {
    s.state = SeriesState::ended;
    return std::nullopt;
  }
  return advance(s, *next, e.event.task.id);
}

Decision apply(const std::optional<Series>& stored, Series s, const SeriesEvent& e) {
  const auto type = e.event.event_type;
  s.last_change = order_of(e.event);
  std::optional<Spawn> spawn;
  std::string note;
  if (type == TaskEventType::deleted) {
    s.state = SeriesState::deleted;
    note = "the current task was deleted: series deleted";
  } else if (!e.recurrence) {
    s.state = SeriesState::stopped;
    note = "the current task no longer recurs: series stopped";
  } else {
    apply_recurrence(s, *e.recurrence);
    move_first_slot(s, e);
    s.task = template_of(e.event);
    refresh(s);
    if (type == TaskEventType::completed) {
      spawn = complete(s, e);
      note = spawn ? "spawned the occurrence at " + format_rfc3339(spawn->occurrence.start)
                   : "completed the last occurrence: series " + std::string(to_string(s.state));
    } else {
      note = "series recorded";
    }
  }
  refresh(s);
  if (stored && to_json(*stored) == to_json(s)) return {std::nullopt, std::nullopt, "unchanged"};
  return {std::move(s), std::move(spawn), std::move(note)};
}

}  // namespace

Spawn advance(Series& s, const Occurrence& occurrence, std::string completed_task_id) {
  Spawn spawn{spawned_task_id(s.id, occurrence.start), occurrence, std::move(completed_task_id)};
  s.current_task_id = spawn.task_id;
  s.current = occurrence;
  s.last_change.reset();
  refresh(s);
  return spawn;
}

Decision decide(const std::optional<Series>& stored, const std::string& series_id,
                const SeriesEvent& e) {
  const auto& task = e.event.task;
  if (!stored) {
    if (e.event.event_type == TaskEventType::deleted) {
      if (task.id != series_id) return {{}, {}, "not a task of a known series"};
      Series tombstone;
      tombstone.id = series_id;
      tombstone.state = SeriesState::deleted;
      return {std::move(tombstone), {}, "deleted before its series was recorded: tombstone"};
    }
    if (!e.recurrence) return {{}, {}, "not a recurring task"};
    return apply(std::nullopt, start_series(series_id, e), e);
  }
  if (stored->state == SeriesState::deleted) return {{}, {}, "the series was deleted"};

  Series s = *stored;
  switch (position_of(s, e)) {
    case Position::earlier:
      return {{}, {}, "an earlier occurrence than the series' current one: nothing to do"};
    case Position::later:
      adopt(s, e);
      break;
    case Position::current:
      if (s.last_change && s.last_change->task_id == task.id &&
          is_older(order_of(e.event), *s.last_change))
        return {{}, {}, "older than what is stored for this task: nothing to do"};
      break;
  }
  return apply(stored, std::move(s), e);
}

}  // namespace tew::recurring
