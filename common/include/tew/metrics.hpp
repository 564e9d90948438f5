// Prometheus metrics for the Dapr contract: events by topic/type/outcome, duplicates,
// publishes by outcome, handling and publish latency histograms. Thread-safe; rendered in
// the Prometheus text exposition format (0.0.4) at GET /metrics.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tew/outcome.hpp"

namespace tew {

// The `type` label of tew_events_total comes from producers: it keeps the first this many
// distinct types seen, and counts every later one as type "other", so that no producer can
// create series without bound.
inline constexpr std::size_t kMaxEventTypes = 32;
inline constexpr std::size_t kMaxEventTypeLength = 128;  // longer types count as "other"

class Metrics {
 public:
  explicit Metrics(std::size_t max_event_types = kMaxEventTypes);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Event intake. `type` is the CloudEvent type ("" when it could not be parsed); past
  // max_event_types distinct types, or longer than kMaxEventTypeLength bytes, a type counts as
  // "other".
  void count_event(std::string_view topic, std::string_view type, Status outcome);
  void count_duplicate(std::string_view topic);
  void count_invalid(std::string_view topic);  // DROPped before any handler ran
  // Acknowledged without effect: a payload event_type the service does not act on.
  void count_ignored(std::string_view topic, std::string_view event_type);
  void observe_handling(std::string_view topic, std::chrono::duration<double> elapsed);
  // Follow-on publishes through the sidecar.
  void count_publish(std::string_view topic, bool ok);
  void observe_publish(std::string_view topic, std::chrono::duration<double> elapsed);
  // Cron / input binding calls.
  void count_binding(std::string_view binding, Status outcome);
  // Due-time schedules (reminders, recurrence): what their ticks did, e.g. ("reminder",
  // "fired"), ("reminder", "late"), ("reminder", "missed").
  void count_schedule(std::string_view schedule, std::string_view outcome);

  // Values another component keeps (such as the in-memory dedup store's record count), read when
  // rendered, so counting costs the component nothing per event. Each is one series without
  // labels, rendered after the families above in the order added. `read` must be thread-safe
  // and stay valid while render() may be called.
  void add_gauge(std::string name, std::string help, std::function<double()> read);
  void add_counter(std::string name, std::string help, std::function<double()> read);

  // Every family, with its HELP and TYPE lines even before its first sample; series in
  // label order. Status outcomes are written lower-case: success, retry, drop.
  std::string render() const;

 private:
  struct Families;
  std::unique_ptr<Families> families_;
};

}  // namespace tew
