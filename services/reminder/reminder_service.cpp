#include "reminder/reminder_service.hpp"

#include "reminder/reminder_plan.hpp"
#include "tew/log.hpp"
#include "tew/rfc3339.hpp"

namespace reminder {

namespace {

constexpr std::string_view kSchedule = "reminder";

tew::LogFields record_fields(const tew::DueRecord& record) {
  tew::LogFields fields{{"task_id", record.id},
                        {"state", std::string(tew::to_string(record.state))}};
  if (record.due) fields.emplace_back("remind_at", tew::format_rfc3339(*record.due));
  return fields;
}

}  // namespace

ReminderService::ReminderService(ServiceDeps deps, ReminderConfig config,
                                 tew::DueIndexOptions schedule, ReminderTarget target)
    : deps_(deps),
      config_(std::move(config)),
      target_(std::move(target)),
      schedule_(deps.sidecar, deps.clock, std::move(schedule)) {}

tew::asio::awaitable<tew::Outcome> ReminderService::on_task_event(const TaskEventInput& input,
                                                                  const tew::EventContext& ctx) {
  if (!input.event) {
    deps_.metrics.count_ignored(ctx.subscription.topic, input.ignored_type);
    auto fields = tew::event_fields(ctx.event);
    fields.emplace_back("payload_event_type", input.ignored_type);
    tew::log_debug("event type not handled by this service; acknowledged", fields);
    co_return tew::Outcome::success();
  }
  const auto& event = *input.event;
  const auto traceparent = ctx.traceparent();
  const auto lead_time = config_.lead_time;
  const tew::DueIndex::Change plan = [&](const std::optional<tew::DueRecord>& stored) {
    return plan_reminder(event, traceparent, stored, lead_time);
  };
  // The due time the plan decides unless the stored record says otherwise (an older event,
  // an unchanged one): its bucket is read with the record.
  const auto expected_due =
      ends_reminders(event) ? std::nullopt : reminder_time(event.task, lead_time);
  auto stored = co_await schedule_.update(event.task_id, plan, expected_due);
  if (!stored) co_return tew::Outcome::retry("reminder schedule: " + stored.error().describe());
  if (*stored && tew::log_enabled(spdlog::level::info)) {
    auto fields = tew::event_fields(ctx.event);
    const auto more = record_fields(**stored);
    fields.insert(fields.end(), more.begin(), more.end());
    tew::log_info("reminder schedule updated", fields);
  }
  co_return tew::Outcome::success();
}

tew::asio::awaitable<tew::Outcome> ReminderService::on_tick() {
  if (ticking_) {
    tew::log_debug("reminder tick skipped: the previous one still runs");
    co_return tew::Outcome::success();
  }
  ticking_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{ticking_};

  const tew::DueIndex::Fire fire = [this](const tew::DueFiring& firing) {
    return publish_due(firing);
  };
  const auto report = co_await schedule_.tick(fire);
  for (int i = 0; i < report.missed; ++i)
    deps_.metrics.count_schedule(kSchedule, "missed");
  tew::LogFields fields{{"fired", std::to_string(report.fired)},
                        {"missed", std::to_string(report.missed)},
                        {"held", std::to_string(report.held)},
                        {"buckets_passed", std::to_string(report.buckets_passed)},
                        {"records_read", std::to_string(report.records_read)},
                        {"caught_up", report.caught_up ? "true" : "false"}};
  if (report.error) {
    fields.emplace_back("error", report.error->describe());
    tew::log_warn("reminder tick unfinished; the next tick picks it up", fields);
    co_return tew::Outcome::retry("reminder tick unfinished: " + report.error->describe());
  }
  if (report.fired > 0 || report.missed > 0 || !report.caught_up)
    tew::log_info("reminder tick", fields);
  else
    tew::log_debug("reminder tick", fields);
  co_return tew::Outcome::success();
}

tew::asio::awaitable<tew::Result<void>> ReminderService::publish_due(const tew::DueFiring& firing) {
  auto request = reminder_due_request(firing, target_, config_.late_after);
  if (!request) {
    // Only a record written by something else can get here; holding the schedule up for it
    // would stop every later reminder, so it is skipped, loudly.
    auto fields = record_fields(firing.record);
    fields.emplace_back("error", request.error().describe());
    tew::log_error("reminder record cannot be published; skipped", fields);
    deps_.metrics.count_schedule(kSchedule, "unpublishable");
    co_return tew::Result<void>{};
  }
  auto published = co_await deps_.sidecar.publish(*request);
  if (!published) co_return published.error();
  const bool late = request->event.data->value("late", false);
  deps_.metrics.count_schedule(kSchedule, late ? "late" : "fired");
  auto fields = record_fields(firing.record);
  fields.emplace_back("event_id", request->event.id);
  fields.emplace_back("late", late ? "true" : "false");
  tew::log_info("reminder.due published", fields);
  co_return tew::Result<void>{};
}

void register_reminder_service(tew::Wiring& wiring, const ReminderConfig& config) {
  const auto& common = wiring.config;
  auto service = std::make_shared<ReminderService>(
      ServiceDeps{wiring.sidecar, wiring.metrics, wiring.clock}, config,
      schedule_options(config, common.state_store, common.app_id),
      ReminderTarget{common.pubsub_name, config.reminders_topic, common.event_source});

  tew::TopicSubscription spec{common.pubsub_name,
                              config.task_events_topic,
                              "/events/task-events",
                              std::nullopt,
                              config.dead_letter_topic,
                              {},
                              {}};
  wiring.app.on_topic<TaskEventInput>(
      std::move(spec),
      [](tew::CloudEvent&& event) { return read_task_event_input(std::move(event)); },
      [service](const TaskEventInput& input, const tew::EventContext& ctx) {
        return service->on_task_event(input, ctx);
      });
  wiring.app.on_binding({config.tick_binding, ""},
                        [service](const tew::BindingCall&) { return service->on_tick(); });
}

}  // namespace reminder
