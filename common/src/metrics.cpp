#include "tew/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace tew {

namespace {

struct Bucket {
  double le;
  std::string_view text;  // as written in the le label
};

// From 100 µs (a handler that only touches memory) to 10 s (a sidecar call retried to its
// limit); anything slower lands in +Inf.
constexpr std::array<Bucket, 16> kBuckets{{{0.0001, "0.0001"},
                                           {0.00025, "0.00025"},
                                           {0.0005, "0.0005"},
                                           {0.001, "0.001"},
                                           {0.0025, "0.0025"},
                                           {0.005, "0.005"},
                                           {0.01, "0.01"},
                                           {0.025, "0.025"},
                                           {0.05, "0.05"},
                                           {0.1, "0.1"},
                                           {0.25, "0.25"},
                                           {0.5, "0.5"},
                                           {1, "1"},
                                           {2.5, "2.5"},
                                           {5, "5"},
                                           {10, "10"}}};

struct Histogram {
  std::array<std::uint64_t, kBuckets.size()> counts{};  // per bucket; cumulated when rendered
  double sum = 0;
  std::uint64_t count = 0;

  void observe(double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // a clock step back, or NaN, must not poison the sum
    const auto bucket = std::find_if(kBuckets.begin(), kBuckets.end(),
                                     [&](const Bucket& b) { return seconds <= b.le; });
    if (bucket != kBuckets.end()) ++counts[static_cast<std::size_t>(bucket - kBuckets.begin())];
    sum += seconds;
    ++count;
  }
};

// Label values come from events; the exposition format must stay valid UTF-8.
std::string valid_utf8(std::string_view s) {
  const auto quoted =
      nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (quoted.size() == s.size() + 2) return std::string(s);  // nothing escaped or replaced
  return nlohmann::json::parse(quoted).get<std::string>();
}

// Orders stored label values and looks them up by views, so that counting into an existing
// series allocates nothing.
struct LabelsLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

template <class Value, std::size_t N>
struct Family {
  std::string_view name;
  std::string_view help;
  std::array<std::string_view, N> label_names;
  std::map<std::array<std::string, N>, Value, LabelsLess> series{};

  Value& at(const std::array<std::string_view, N>& labels) {
    if (const auto it = series.find(labels); it != series.end()) return it->second;
    std::array<std::string, N> values;
    for (std::size_t i = 0; i < N; ++i)
      values[i] = valid_utf8(labels[i]);
    return series.try_emplace(std::move(values)).first->second;
  }
};

std::string_view outcome_label(Status s) {
  switch (s) {
    case Status::success:
      return "success";
    case Status::retry:
      return "retry";
    case Status::drop:
      return "drop";
  }
  return "retry";
}

void append_header(std::string& out, std::string_view name, std::string_view help,
                   std::string_view type) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void append_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

template <std::size_t N>
void append_series(std::string& out, std::string_view name, std::string_view suffix,
                   const std::array<std::string_view, N>& names,
                   const std::array<std::string, N>& values, std::string_view le = {}) {
  out += name;
  out += suffix;
  out += '{';
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    append_label_value(out, values[i]);
    out += '"';
  }
  if (!le.empty()) {
    out += ",le=\"";
    out += le;
    out += '"';
  }
  out += "} ";
}

template <std::size_t N>
void render_counters(std::string& out, const Family<std::uint64_t, N>& family) {
  append_header(out, family.name, family.help, "counter");
  for (const auto& [labels, value] : family.series) {
    append_series(out, family.name, "", family.label_names, labels);
    fmt::format_to(std::back_inserter(out), "{}\n", value);
  }
}

template <std::size_t N>
void render_histograms(std::string& out, const Family<Histogram, N>& family) {
  append_header(out, family.name, family.help, "histogram");
  for (const auto& [labels, h] : family.series) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      append_series(out, family.name, "_bucket", family.label_names, labels, kBuckets[i].text);
      fmt::format_to(std::back_inserter(out), "{}\n", cumulative);
    }
    append_series(out, family.name, "_bucket", family.label_names, labels, "+Inf");
    fmt::format_to(std::back_inserter(out), "{}\n", h.count);
    append_series(out, family.name, "_sum", family.label_names, labels);
    fmt::format_to(std::back_inserter(out), "{}\n", h.sum);
    append_series(out, family.name, "_count", family.label_names, labels);
    fmt::format_to(std::back_inserter(out), "{}\n", h.count);
  }
}

}  // namespace

// A value read at render time from the component that keeps it.
struct Reading {
  std::string name;
  std::string help;
  std::string_view type;  // "gauge" or "counter"
  std::function<double()> read;
};

struct Metrics::Families {
  explicit Families(std::size_t max_types) : max_event_types(max_types) {}

  // The type's own label while it is one of the first max_event_types seen, else "other".
  std::string_view event_type_label(std::string_view type) {
    if (type.size() > kMaxEventTypeLength) return "other";
    if (event_types.find(type) != event_types.end()) return type;
    if (event_types.size() >= max_event_types) return "other";
    event_types.emplace(type);
    return type;
  }

  std::mutex mutex;
  const std::size_t max_event_types;
  std::set<std::string, std::less<>> event_types;
  Family<std::uint64_t, 3> events{
      "tew_events_total",
      "Events delivered by daprd, by topic, CloudEvent type and the outcome answered; types "
      "past a fixed number of distinct ones count as type \"other\".",
      {"topic", "type", "outcome"}};
  Family<std::uint64_t, 1> duplicates{
      "tew_duplicates_total",
      "Deliveries of an event already handled or in flight; its handler did not run.",
      {"topic"}};
  Family<std::uint64_t, 1> invalid{
      "tew_invalid_events_total", "Events dropped as invalid before any handler ran.", {"topic"}};
  Family<std::uint64_t, 2> ignored{
      "tew_ignored_events_total",
      "Events acknowledged without effect, by topic and payload event_type the service does not "
      "act on; types past a fixed number of distinct ones count as \"other\".",
      {"topic", "event_type"}};
  Family<Histogram, 1> handling{
      "tew_event_handling_seconds", "Time to handle one delivered event, by topic.", {"topic"}};
  Family<std::uint64_t, 2> publishes{
      "tew_publishes_total",
      "Events published through the sidecar, by topic and outcome (ok or error).",
      {"topic", "outcome"}};
  Family<Histogram, 1> publish_latency{
      "tew_publish_seconds", "Time to publish one event through the sidecar, by topic.", {"topic"}};
  Family<std::uint64_t, 2> bindings{
      "tew_bindings_total",
      "Input binding calls (such as cron ticks), by binding and the outcome answered.",
      {"binding", "outcome"}};
  Family<std::uint64_t, 2> schedule{
      "tew_schedule_total",
      "What the ticks of a due-time schedule did, by schedule and outcome (such as fired, late, "
      "missed).",
      {"schedule", "outcome"}};
  std::vector<Reading> readings;
};

Metrics::Metrics(std::size_t max_event_types)
    : families_(std::make_unique<Families>(max_event_types)) {}
Metrics::~Metrics() = default;

void Metrics::count_event(std::string_view topic, std::string_view type, Status outcome) {
  const std::lock_guard lock(families_->mutex);
  ++families_->events.at({topic, families_->event_type_label(type), outcome_label(outcome)});
}

void Metrics::count_duplicate(std::string_view topic) {
  const std::lock_guard lock(families_->mutex);
  ++families_->duplicates.at({topic});
}

void Metrics::count_invalid(std::string_view topic) {
  const std::lock_guard lock(families_->mutex);
  ++families_->invalid.at({topic});
}

void Metrics::count_ignored(std::string_view topic, std::string_view event_type) {
  const std::lock_guard lock(families_->mutex);
  ++families_->ignored.at({topic, families_->event_type_label(event_type)});
}

void Metrics::observe_handling(std::string_view topic, std::chrono::duration<double> elapsed) {
  const std::lock_guard lock(families_->mutex);
  families_->handling.at({topic}).observe(elapsed.count());
}

void Metrics::count_publish(std::string_view topic, bool ok) {
  const std::lock_guard lock(families_->mutex);
  ++families_->publishes.at({topic, ok ? "ok" : "error"});
}

void Metrics::observe_publish(std::string_view topic, std::chrono::duration<double> elapsed) {
  const std::lock_guard lock(families_->mutex);
  families_->publish_latency.at({topic}).observe(elapsed.count());
}

void Metrics::count_binding(std::string_view binding, Status outcome) {
  const std::lock_guard lock(families_->mutex);
  ++families_->bindings.at({binding, outcome_label(outcome)});
}

void Metrics::count_schedule(std::string_view schedule, std::string_view outcome) {
  const std::lock_guard lock(families_->mutex);
  ++families_->schedule.at({schedule, outcome});
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  const std::lock_guard lock(families_->mutex);
  families_->readings.push_back({std::move(name), std::move(help), "gauge", std::move(read)});
}

void Metrics::add_counter(std::string name, std::string help, std::function<double()> read) {
  const std::lock_guard lock(families_->mutex);
  families_->readings.push_back({std::move(name), std::move(help), "counter", std::move(read)});
}

std::string Metrics::render() const {
  std::string out;
  const std::lock_guard lock(families_->mutex);
  render_counters(out, families_->events);
  render_counters(out, families_->duplicates);
  render_counters(out, families_->invalid);
  render_counters(out, families_->ignored);
  render_histograms(out, families_->handling);
  render_counters(out, families_->publishes);
  render_histograms(out, families_->publish_latency);
  render_counters(out, families_->bindings);
  render_counters(out, families_->schedule);
  for (const auto& r : families_->readings) {
    append_header(out, r.name, r.help, r.type);
    fmt::format_to(std::back_inserter(out), "{} {}\n", r.name, r.read());
  }
  return out;
}

}  // namespace tew
