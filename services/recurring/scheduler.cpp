#include "recurring/scheduler.hpp"

#include "recurring/scheduled_spawn.hpp"
#include "recurring/trigger.hpp"
#include "tew/log.hpp"
#include "tew/rfc3339.hpp"

namespace tew::recurring {

SeriesScheduler::SeriesScheduler(Sidecar& sidecar, Metrics& metrics, SpawnSchedule& schedule,
                                 SchedulerOptions options)
    : metrics_(metrics),
      schedule_(schedule),
      options_(std::move(options)),
      store_(sidecar, options_.state_store),
      outbox_(sidecar, store_, {options_.pubsub, options_.topic}) {}

asio::awaitable<Outcome> SeriesScheduler::on_tick() {
  if (ticking_) {
    log_debug("recurring scheduler tick skipped: the previous one still runs");
    co_return Outcome::success();
  }
  ticking_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{ticking_};

  const auto report = co_await tick();
  LogFields fields{{"fired", std::to_string(report.fired)},
                   {"held", std::to_string(report.held)},
                   {"buckets_passed", std::to_string(report.buckets_passed)},
                   {"records_read", std::to_string(report.records_read)},
                   {"caught_up", report.caught_up ? "true" : "false"}};
  if (report.error) {
    fields.emplace_back("error", report.error->describe());
    log_warn("recurring scheduler tick unfinished; the next tick picks it up", fields);
    co_return Outcome::retry("recurring scheduler tick unfinished: " + report.error->describe());
  }
  if (report.fired > 0 || !report.caught_up)
    log_info("recurring scheduler tick", fields);
  else
    log_debug("recurring scheduler tick", fields);
  co_return Outcome::success();
}

asio::awaitable<TickReport> SeriesScheduler::tick() {
  const DueIndex::Fire fire = [this](const DueFiring& firing) { return this->fire(firing); };
  co_return co_await schedule_.tick(fire);
}

Result<void> SeriesScheduler::skipped(const LogFields& where, const Error& error) {
  // Holding the firing up would hold up every series listed after it: skipped, loudly. The
  // series' next event fails the same way and is retried until someone repairs it.
  auto fields = where;
  fields.emplace_back("error", error.describe());
  log_error("series record cannot be read; its firing is skipped", fields);
  metrics_.count_schedule(kScheduleName, "unreadable");
  return Result<void>{};
}

asio::awaitable<Result<void>> SeriesScheduler::fire(const DueFiring& firing) {
  const auto& series_id = firing.record.id;
  const LogFields where{{"series_id", series_id},
                        {"listed_at", format_rfc3339(*firing.record.due)}};
  bool spawned = false;  // one spawn per firing; the next one is listed again
  std::string last_failure = "none";
  for (int round = 0; round < kMaxSeriesRounds; ++round) {
    auto loaded = co_await store_.load(series_id);
    if (!loaded && is_broken_record(loaded.error())) co_return skipped(where, loaded.error());
    if (!loaded) co_return loaded.error();
    if (loaded->series && loaded->series->pending_trigger) {
      auto flushed = co_await outbox_.flush(*loaded, "");
      if (!flushed && is_broken_record(flushed.error())) co_return skipped(where, flushed.error());
      if (!flushed && flushed.error().kind != ErrorKind::conflict) co_return flushed.error();
      if (flushed && !spawned) {
        // Not this firing's own spawn: one whose publish never succeeded (its event given up on
        // by daprd, or its process gone), or one racing this firing (the same event again).
        log_warn("published a pending trigger left by an unfinished spawn", where);
        metrics_.count_schedule(kScheduleName, "recovered");
      }
      continue;  // read again: the series is as the flush left it, or someone else's
    }
    if (!spawned) {
      auto decision = decide_scheduled(loaded->series, firing.now, schedule_.lookahead());
      if (decision.spawn) {
        const auto& spawn = *decision.spawn;
        decision.write->pending_trigger = to_json(
            scheduled_trigger_event(*decision.write, spawn, firing.attempt_time, options_.source));
        auto saved = co_await store_.save(*loaded, *decision.write);
        if (!saved) {
          // Lost the ETag race (a completion or another replica advanced it), or the write
          // failed: the next round reads what is there and decides again.
          last_failure = saved.error().describe();
          continue;
        }
        spawned = true;
        auto fields = where;
        fields.emplace_back("new_task_id", spawn.task_id);
        fields.emplace_back("skipped", std::to_string(spawn.skipped));
        if (spawn.skipped > 0)
          log_warn(decision.note, fields);
        else
          log_info(decision.note, fields);
        metrics_.count_schedule(kScheduleName,
                                spawn.occurrence.start <= firing.now ? "late" : "spawned");
        for (std::int64_t i = 0; i < spawn.skipped; ++i)
          metrics_.count_schedule(kScheduleName, "skipped");
        continue;  // the next round publishes the trigger just written
      }
      log_debug("scheduled firing spawned nothing: " + decision.note, where);
    }
    co_return co_await schedule_.sync(series_id, std::move(loaded->series));
  }
  co_return Error::unavailable("recurring scheduler",
                               "series " + series_id + " not settled after " +
                                   std::to_string(kMaxSeriesRounds) +
                                   " rounds; last write failure: " + last_failure);
}

}  // namespace tew::recurring
