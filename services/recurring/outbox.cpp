#include "recurring/outbox.hpp"

#include "tew/log.hpp"

namespace tew::recurring {

TriggerOutbox::TriggerOutbox(Sidecar& sidecar, SeriesStore& store, TriggerTarget target)
    : sidecar_(sidecar), store_(store), target_(std::move(target)) {}

asio::awaitable<Result<void>> TriggerOutbox::flush(const StoredSeries& stored,
                                                   std::string_view traceparent) {
  const auto& series = *stored.series;
  auto trigger = parse_structured_event(*series.pending_trigger);
  if (!trigger)
    co_return Error::unavailable(std::string(kSeriesSubject),
                                 "unreadable pending trigger of " + series.id);
  const auto new_task = trigger->data ? trigger->data->value("task_id", "") : "";
  if (new_task.empty())
    co_return Error::unavailable(std::string(kSeriesSubject),
                                 "pending trigger of " + series.id + " has no task_id");

  if (auto linked = co_await store_.link(new_task, series.id); !linked) co_return linked.error();
  const auto request =
      PublishRequest{target_.pubsub, target_.topic, *trigger, std::string(traceparent), {}};
  if (auto published = co_await sidecar_.publish(request); !published) co_return published.error();
  // With the new task's due date and what spawned it, for whoever watches the log.
  if (log_enabled(spdlog::level::info)) {
    const auto& data = *trigger->data;
    using Pointer = nlohmann::json::json_pointer;
    log_info("published recurring.trigger",
             {{"series_id", series.id},
              {"new_task_id", new_task},
              {"due_date", data.value(Pointer("/task_data/due_date"), std::string())},
              {"trigger", data.value(Pointer("/metadata/trigger"), std::string())},
              {"trigger_id", trigger->id}});
  }
  Series cleared = series;
  cleared.pending_trigger.reset();
  co_return co_await store_.save(stored, cleared);
}

}  // namespace tew::recurring
