#include "event_pipeline.hpp"

#include "tew/log.hpp"

namespace tew {

namespace {

using SteadyClock = std::chrono::steady_clock;

LogFields with_reason(LogFields fields, const Outcome& out) {
  fields.emplace_back("outcome", std::string(to_string(out.status)));
  if (!out.reason.empty()) fields.emplace_back("reason", out.reason);
  return fields;
}

}  // namespace

asio::awaitable<Outcome> EventPipeline::deliver(const TopicRoute& route, Result<CloudEvent> event) {
  const auto& topic = route.spec.topic;
  const auto started = SteadyClock::now();
  if (!event) {
    Outcome out = Outcome::drop("invalid CloudEvent: " + event.error().describe());
    deps_.metrics.count_invalid(topic);
    deps_.metrics.count_event(topic, "", out.status);
    log_warn("dropping event", with_reason({{"topic", topic}, {"route", route.spec.route}}, out));
    co_return out;
  }

  auto prepared = route.prepare(*event);
  Outcome out;
  if (!prepared) {
    out = Outcome::drop("invalid payload: " + prepared.error().describe());
    deps_.metrics.count_invalid(topic);
  } else {
    out = co_await run_claimed(route, *event, *prepared);
  }

  deps_.metrics.count_event(topic, event->type, out.status);
  deps_.metrics.observe_handling(topic, SteadyClock::now() - started);
  if (out.status == Status::success) {
    if (log_enabled(spdlog::level::debug))
      log_debug("event handled", with_reason(event_fields(*event), out));
  } else {
    log_warn(out.status == Status::drop ? "dropping event" : "event will be retried",
             with_reason(event_fields(*event), out));
  }
  co_return out;
}

asio::awaitable<Outcome> EventPipeline::run_claimed(const TopicRoute& route,
                                                    const CloudEvent& event,
                                                    const TopicHandler& handler) {
  const DedupKey key{options_.app_id + route.spec.route, event.source, event.id};
  auto claim = co_await deps_.dedup.claim(key);
  if (!claim) co_return Outcome::retry("dedup store: " + claim.error().describe());
  switch (claim->state) {
    case ClaimState::already_done:
      deps_.metrics.count_duplicate(route.spec.topic);
      if (log_enabled(spdlog::level::debug))
        log_debug("duplicate event acknowledged", event_fields(event));
      co_return Outcome::success();
    case ClaimState::in_flight:
      deps_.metrics.count_duplicate(route.spec.topic);
      co_return Outcome::retry("the same event is being handled elsewhere");
    case ClaimState::acquired:
      break;
  }

  Outcome out;
  try {
    const EventContext ctx{event, route.spec, options_.event_source};
    out = co_await handler(ctx);
  } catch (const std::exception& e) {
    out = Outcome::retry(std::string("handler failed: ") + e.what());
  } catch (...) {
    out = Outcome::retry("handler failed with an unknown exception");
  }

  if (out.status == Status::retry) {
    // Released so that the redelivery runs the handler again.
    if (auto r = co_await deps_.dedup.release(key, *claim); !r)
      log_warn("could not release claim; it expires with its lease",
               with_reason(event_fields(event), Outcome::retry(r.error().describe())));
  } else if (auto r = co_await deps_.dedup.complete(key, *claim); !r) {
    // The effects have happened and are idempotent: answering RETRY would only repeat them.
    // Until the lease runs out the claim still keeps duplicates away.
    log_warn("could not mark event done; a late duplicate may run again (idempotently)",
             with_reason(event_fields(event), Outcome::retry(r.error().describe())));
  }
  co_return out;
}

}  // namespace tew
