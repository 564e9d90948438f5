// Prometheus metrics for the Dapr contract: events by topic/type/outcome, duplicates,
// publishes by outcome, handling and publish latency histograms. Thread-safe; rendered in
// the Prometheus text exposition format (0.0.4) at GET /metrics.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tew/outcome.hpp"

namespace tew {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Event intake. `type` is the CloudEvent type ("" when it could not be parsed). Types come
  // from senders, so the label is bounded: past kMaxEventTypes distinct types, and for one
  // longer than kMaxEventTypeLength bytes, an event counts under type "other".
  static constexpr std::size_t kMaxEventTypes = 100;
  static constexpr std::size_t kMaxEventTypeLength = 128;
  void count_event(std::string_view topic, std::string_view type, Status outcome);
  void count_duplicate(std::string_view topic);
  void count_invalid(std::string_view topic);  // DROPped before any handler ran
  void observe_handling(std::string_view topic, std::chrono::duration<double> elapsed);
  // Follow-on publishes through the sidecar.
  void count_publish(std::string_view topic, bool ok);
  void observe_publish(std::string_view topic, std::chrono::duration<double> elapsed);
  // Cron / input binding calls.
  void count_binding(std::string_view binding, Status outcome);

  // Every family, with its HELP and TYPE lines even before its first sample; series in
  // label order. Status outcomes are written lower-case: success, retry, drop.
  std::string render() const;

 private:
  struct Families;
  std::unique_ptr<Families> families_;
};

}  // namespace tew
