#include "recurring/handler.hpp"

#include <optional>
#include <utility>

#include "recurring/decide.hpp"
#include "recurring/trigger.hpp"
#include "tew/log.hpp"

namespace tew::recurring {

namespace {

// A task.created without recurrence and without a series link cannot concern any series;
// every other task event might (a deletion or an update that ends a series), so it is looked up.
bool may_concern_a_series(const SeriesEvent& e) {
  return e.recurrence || e.series_id || e.event.event_type != TaskEventType::created;
}

LogFields series_fields(const EventContext& ctx, const std::string& series_id,
                        const SeriesEvent& e) {
  auto fields = event_fields(ctx.event);
  fields.emplace_back("series_id", series_id);
  fields.emplace_back("task_id", e.event.task.id);
  return fields;
}

Outcome success(std::string note) {
  return {Status::success, std::move(note)};
}

}  // namespace

SeriesHandler::SeriesHandler(Sidecar& sidecar, HandlerOptions options, SpawnSchedule& schedule)
    : options_(std::move(options)),
      store_(sidecar, options_.state_store),
      outbox_(sidecar, store_, {options_.pubsub, options_.topic}),
      schedule_(schedule) {}

asio::awaitable<Outcome> SeriesHandler::handle(const RecurringInput& input,
                                               const EventContext& ctx) {
  // Acknowledged; the pipeline logs the reason at debug and counts the event by type.
  if (const auto* ignored = std::get_if<IgnoredEvent>(&input))
    co_return success("ignored: " + ignored->event_type);
  co_return co_await handle_task(std::get<SeriesEvent>(input), ctx);
}

asio::awaitable<Outcome> SeriesHandler::handle_task(const SeriesEvent& e, const EventContext& ctx) {
  if (!may_concern_a_series(e)) co_return success("not a recurring task");
  std::string spawned;
  std::string last_failure = "none";
  bool scheduled = false;  // a series read or written here is (or was) on the spawn schedule
  std::optional<StoredSeries> just_written;  // a new series this handler inserted, as stored
  for (int round = 0; round < kMaxSeriesRounds; ++round) {
    Result<StoredSeries> found = Error::unavailable("series store", "not read");
    if (just_written)
      found = *std::exchange(just_written, std::nullopt);
    else
      found = co_await store_.find(e);
    if (!found) co_return Outcome::retry("series store: " + found.error().describe());
    scheduled = scheduled || SpawnSchedule::concerns(found->series);
    if (found->series && found->series->pending_trigger) {
      auto flushed = co_await outbox_.flush(*found, ctx.traceparent());
      if (!flushed && flushed.error().kind != ErrorKind::conflict)
        co_return co_await unpublished(*found, flushed.error());
      // This event's spawn is published and its trigger cleared: its effects are durable, and
      // reading the series once more would only decide again that there is nothing left to
      // do. A series on the spawn schedule is read again, to sync the schedule with it.
      if (flushed && !spawned.empty() && !scheduled) co_return success(spawned);
      continue;  // read again: the series is as the flush left it, or someone else's
    }

    auto decision = decide(found->series, found->series_id, e);
    if (!decision.write)
      co_return co_await settled(found->series_id, std::move(found->series), scheduled,
                                 success(spawned.empty() ? decision.note : spawned));
    if (decision.spawn)
      decision.write->pending_trigger =
          to_json(trigger_event(*decision.write, *decision.spawn, e.event, ctx.app_source));
    auto saved = co_await store_.save(*found, *decision.write);
    if (!saved) {
      // Lost the ETag or insert race, or the write failed: the next round reads what is there.
      last_failure = saved.error().describe();
      continue;
    }
    if (log_enabled(spdlog::level::info))
      log_info(decision.note, series_fields(ctx, found->series_id, e));
    scheduled = scheduled || SpawnSchedule::concerns(decision.write);
    if (!decision.spawn)
      co_return co_await settled(found->series_id, std::move(decision.write), scheduled,
                                 success(decision.note));
    spawned = decision.note;  // the next round publishes the trigger just written
    // A series inserted just now is known without reading it back (see inserted()).
    if (!found->series) just_written = inserted(found->series_id, std::move(*decision.write));
  }
  co_return Outcome::retry("series not settled after " + std::to_string(kMaxSeriesRounds) +
                           " rounds; last write failure: " + last_failure);
}

asio::awaitable<Outcome> SeriesHandler::unpublished(const StoredSeries& found,
                                                    const Error& failure) {
  // The redelivery of this event publishes the trigger, unless daprd gives up on it first (e.g.
  // the broker is down for its whole retry window); then nothing else would: the task it spawns
  // does not exist yet, so no later event of the series comes. Listed, the scheduler's tick
  // publishes it. Only here, not before the series write, so a spawn that publishes costs no
  // index call; a listing the redelivery makes stale is harmless (the tick finds no trigger and
  // unlists it). Left unlisted: a trigger whose every delivery dies between the series write and
  // this listing (the replica crashes, or the state store stays down) until daprd gives up.
  const auto listed = co_await schedule_.list_pending(found.series_id, *found.series);
  auto why = "publishing the pending trigger: " + failure.describe();
  if (!listed) {
    // Still RETRY: the redelivery publishes it, or lists it again if it fails once more.
    why += "; listing it for the scheduler: " + listed.error().describe();
    log_warn("pending trigger not listed for the scheduler",
             {{"series_id", found.series_id}, {"error", listed.error().describe()}});
  }
  co_return Outcome::retry(why);
}

asio::awaitable<Outcome> SeriesHandler::settled(const std::string& series_id,
                                                std::optional<Series> series, bool scheduled,
                                                Outcome out) {
  if (!scheduled) co_return out;
  auto synced = co_await schedule_.sync(series_id, std::move(series));
  if (!synced) co_return Outcome::retry("spawn schedule: " + synced.error().describe());
  co_return out;
}

}  // namespace tew::recurring
