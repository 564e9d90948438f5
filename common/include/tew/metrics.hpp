// Prometheus metrics for the Dapr contract: events by topic/type/outcome, duplicates,
// publishes by outcome, handling and publish latency histograms. Thread-safe; rendered in
// the Prometheus text exposition format (0.0.4) at GET /metrics.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tew/outcome.hpp"

namespace tew {

class Metrics {
 public:
  // Event intake. `type` is the CloudEvent type ("" when it could not be parsed).
  void count_event(std::string_view topic, std::string_view type, Status outcome);
  void count_duplicate(std::string_view topic);
  void count_invalid(std::string_view topic);  // DROPped before any handler ran
  void observe_handling(std::string_view topic, std::chrono::duration<double> elapsed);
  // Follow-on publishes through the sidecar.
  void count_publish(std::string_view topic, bool ok);
  void observe_publish(std::string_view topic, std::chrono::duration<double> elapsed);
  // Cron / input binding calls.
  void count_binding(std::string_view binding, Status outcome);

  std::string render() const;

 private:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative at render time, per bound below
    double sum = 0;
    std::uint64_t count = 0;
  };
  void add(std::map<Labels, std::uint64_t>& family, Labels labels);
  void observe(std::map<Labels, Histogram>& family, Labels labels, double seconds);

  mutable std::mutex mutex_;
  std::map<Labels, std::uint64_t> events_, duplicates_, invalid_, publishes_, bindings_;
  std::map<Labels, Histogram> handling_, publish_latency_;
};

}  // namespace tew
