#include "tew/metrics.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using tew::Metrics;
using tew::Status;

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("every family is rendered with HELP and TYPE before its first sample") {
  const Metrics metrics;
  CHECK(metrics.render() ==
        "# HELP tew_events_total Events delivered by daprd, by topic, CloudEvent type and the "
        "outcome answered; types past a fixed number of distinct ones count as type \"other\".\n"
        "# TYPE tew_events_total counter\n"
        "# HELP tew_duplicates_total Deliveries of an event already handled or in flight; its "
        "handler did not run.\n"
        "# TYPE tew_duplicates_total counter\n"
        "# HELP tew_invalid_events_total Events dropped as invalid before any handler ran.\n"
        "# TYPE tew_invalid_events_total counter\n"
        "# HELP tew_ignored_events_total Events acknowledged without effect, by topic and "
        "payload event_type the service does not act on; types past a fixed number of distinct "
        "ones count as \"other\".\n"
        "# TYPE tew_ignored_events_total counter\n"
        "# HELP tew_event_handling_seconds Time to handle one delivered event, by topic.\n"
        "# TYPE tew_event_handling_seconds histogram\n"
        "# HELP tew_publishes_total Events published through the sidecar, by topic and outcome "
        "(ok or error).\n"
        "# TYPE tew_publishes_total counter\n"
        "# HELP tew_publish_seconds Time to publish one event through the sidecar, by topic.\n"
        "# TYPE tew_publish_seconds histogram\n"
        "# HELP tew_bindings_total Input binding calls (such as cron ticks), by binding and the "
        "outcome answered.\n"
        "# TYPE tew_bindings_total counter\n"
        "# HELP tew_schedule_total What the ticks of a due-time schedule did, by schedule and "
        "outcome (such as fired, late, missed).\n"
        "# TYPE tew_schedule_total counter\n");
}

TEST_CASE("a small scenario renders counters and cumulative histogram buckets exactly") {
  Metrics metrics;
  metrics.count_event("orders", "order.created", Status::success);
  metrics.count_event("orders", "order.created", Status::success);
  metrics.count_event("orders", "", Status::drop);
  metrics.count_duplicate("orders");
  metrics.count_invalid("orders");
  metrics.count_ignored("orders", "order.archived");
  metrics.observe_handling("orders", 0.0009765625s);  // 2^-10: sums print exactly
  metrics.observe_handling("orders", 2s);
  metrics.observe_handling("orders", 16s);
  metrics.count_publish("audit", true);
  metrics.count_publish("audit", false);
  metrics.count_binding("cron", Status::retry);
  metrics.count_schedule("reminder", "missed");
  metrics.count_schedule("reminder", "fired");
  metrics.count_schedule("reminder", "fired");

  CHECK(
      metrics.render() ==
      R"(# HELP tew_events_total Events delivered by daprd, by topic, CloudEvent type and the outcome answered; types past a fixed number of distinct ones count as type "other".
# TYPE tew_events_total counter
tew_events_total{topic="orders",type="",outcome="drop"} 1
tew_events_total{topic="orders",type="order.created",outcome="success"} 2
# HELP tew_duplicates_total Deliveries of an event already handled or in flight; its handler did not run.
# TYPE tew_duplicates_total counter
tew_duplicates_total{topic="orders"} 1
# HELP tew_invalid_events_total Events dropped as invalid before any handler ran.
# TYPE tew_invalid_events_total counter
tew_invalid_events_total{topic="orders"} 1
# HELP tew_ignored_events_total Events acknowledged without effect, by topic and payload event_type the service does not act on; types past a fixed number of distinct ones count as "other".
# TYPE tew_ignored_events_total counter
tew_ignored_events_total{topic="orders",event_type="order.archived"} 1
# HELP tew_event_handling_seconds Time to handle one delivered event, by topic.
# TYPE tew_event_handling_seconds histogram
tew_event_handling_seconds_bucket{topic="orders",le="0.0001"} 0
tew_event_handling_seconds_bucket{topic="orders",le="0.00025"} 0
tew_event_handling_seconds_bucket{topic="orders",le="0.0005"} 0
tew_event_handling_seconds_bucket{topic="orders",le="0.001"} 1
tew_event_handling_seconds_bucket{topic="orders",le="0.0025"} 1
tew_event_handling_seconds_bucket{topic="orders",le="0.005"} 1
tew_event_handling_seconds_bucket{topic="orders",le="0.01"} 1
tew_event_handling_seconds_bucket{topic="orders",le="0.025"} 1
tew_event_handling_seconds_bucket{topic="orders",le="0.05"} 1
tew_event_handling_seconds_bucket{topic="orders",le="0.1"} 1
tew_event_handling_seconds_bucket{topic="orders",le="0.25"} 1
tew_event_handling_seconds_bucket{topic="orders",le="0.5"} 1
tew_event_handling_seconds_bucket{topic="orders",le="1"} 1
tew_event_handling_seconds_bucket{topic="orders",le="2.5"} 2
tew_event_handling_seconds_bucket{topic="orders",le="5"} 2
tew_event_handling_seconds_bucket{topic="orders",le="10"} 2
tew_event_handling_seconds_bucket{topic="orders",le="+Inf"} 3
tew_event_handling_seconds_sum{topic="orders"} 18.0009765625
tew_event_handling_seconds_count{topic="orders"} 3
# HELP tew_publishes_total Events published through the sidecar, by topic and outcome (ok or error).
# TYPE tew_publishes_total counter
tew_publishes_total{topic="audit",outcome="error"} 1
tew_publishes_total{topic="audit",outcome="ok"} 1
# HELP tew_publish_seconds Time to publish one event through the sidecar, by topic.
# TYPE tew_publish_seconds histogram
# HELP tew_bindings_total Input binding calls (such as cron ticks), by binding and the outcome answered.
# TYPE tew_bindings_total counter
tew_bindings_total{binding="cron",outcome="retry"} 1
# HELP tew_schedule_total What the ticks of a due-time schedule did, by schedule and outcome (such as fired, late, missed).
# TYPE tew_schedule_total counter
tew_schedule_total{schedule="reminder",outcome="fired"} 2
tew_schedule_total{schedule="reminder",outcome="missed"} 1
)");
}

TEST_CASE("an observation equal to a bucket bound counts in that bucket") {
  Metrics metrics;
  metrics.observe_publish("t", 0.001s);
  const auto text = metrics.render();
  CHECK(has_line(text, R"(tew_publish_seconds_bucket{topic="t",le="0.0005"} 0)"));
  CHECK(has_line(text, R"(tew_publish_seconds_bucket{topic="t",le="0.001"} 1)"));
  CHECK(has_line(text, R"(tew_publish_seconds_sum{topic="t"} 0.001)"));
}

TEST_CASE("a negative or NaN duration counts as zero and does not poison the sum") {
  Metrics metrics;
  metrics.observe_handling("t", -1s);
  metrics.observe_handling("t",
                           std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN()));
  const auto text = metrics.render();
  CHECK(has_line(text, R"(tew_event_handling_seconds_bucket{topic="t",le="0.0001"} 2)"));
  CHECK(has_line(text, R"(tew_event_handling_seconds_sum{topic="t"} 0)"));
  CHECK(has_line(text, R"(tew_event_handling_seconds_count{topic="t"} 2)"));
}

TEST_CASE("label values escape backslash, double quote and newline") {
  Metrics metrics;
  metrics.count_event("a\\b\"c\nd", "x", Status::retry);
  CHECK(has_line(metrics.render(),
                 R"(tew_events_total{topic="a\\b\"c\nd",type="x",outcome="retry"} 1)"));
}

TEST_CASE("invalid UTF-8 in a label value is replaced, and counts into one series") {
  Metrics metrics;
  metrics.count_invalid("bad\xff");
  metrics.count_invalid("bad\xff");
  CHECK(has_line(metrics.render(), "tew_invalid_events_total{topic=\"bad\xef\xbf\xbd\"} 2"));
}

TEST_CASE("event types past the cap count as other, and types seen before keep their label") {
  Metrics metrics(2);
  metrics.count_event("t", "a", Status::success);
  metrics.count_event("t", "b", Status::success);
  metrics.count_event("t", "c", Status::success);
  metrics.count_event("t", "d", Status::drop);
  metrics.count_event("t", "a", Status::success);
  const auto text = metrics.render();
  CHECK(has_line(text, R"(tew_events_total{topic="t",type="a",outcome="success"} 2)"));
  CHECK(has_line(text, R"(tew_events_total{topic="t",type="b",outcome="success"} 1)"));
  CHECK(has_line(text, R"(tew_events_total{topic="t",type="other",outcome="success"} 1)"));
  CHECK(has_line(text, R"(tew_events_total{topic="t",type="other",outcome="drop"} 1)"));
  CHECK(text.find(R"(type="c")") == std::string::npos);
  CHECK(text.find(R"(type="d")") == std::string::npos);
}

TEST_CASE("a producer sending endless distinct types creates a bounded number of series") {
  Metrics metrics;
  for (int i = 0; i < 10'000; ++i)
    metrics.count_event("t", "type-" + std::to_string(i), Status::success);
  const auto text = metrics.render();
  std::size_t series = 0;
  for (std::size_t at = text.find("\ntew_events_total{"); at != std::string::npos;
       at = text.find("\ntew_events_total{", at + 1))
    ++series;
  CHECK(series == tew::kMaxEventTypes + 1);
  CHECK(has_line(text, R"(tew_events_total{topic="t",type="other",outcome="success"} )" +
                           std::to_string(10'000 - tew::kMaxEventTypes)));
}

TEST_CASE("ignored event types share the cap: past it they count as other") {
  Metrics metrics(1);
  metrics.count_ignored("t", "a");
  metrics.count_ignored("t", "b");
  metrics.count_ignored("t", "c");
  const auto text = metrics.render();
  CHECK(has_line(text, R"(tew_ignored_events_total{topic="t",event_type="a"} 1)"));
  CHECK(has_line(text, R"(tew_ignored_events_total{topic="t",event_type="other"} 2)"));
  CHECK(text.find(R"(event_type="b")") == std::string::npos);
}

TEST_CASE("an event type longer than the length bound counts under type other") {
  Metrics fresh;
  const std::string longest(tew::kMaxEventTypeLength, 'y');
  fresh.count_event("t", longest, Status::drop);
  fresh.count_event("t", longest + "y", Status::drop);
  const auto lengths = fresh.render();
  CHECK(has_line(lengths,
                 R"(tew_events_total{topic="t",type=")" + longest + R"(",outcome="drop"} 1)"));
  CHECK(has_line(lengths, R"(tew_events_total{topic="t",type="other",outcome="drop"} 1)"));
}

TEST_CASE("concurrent updates from many threads give exact totals") {
  constexpr int kThreads = 8;
  constexpr int kEach = 5000;
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      const std::string own = "own-" + std::to_string(t % 2);
      for (int i = 0; i < kEach; ++i) {
        metrics.count_event("shared", "type", Status::success);
        metrics.count_duplicate(own);
        metrics.observe_handling("shared", 1ms);
        metrics.count_publish("shared", i % 2 == 0);
        if (i % 1000 == 0) metrics.render();
      }
    });
  }
  for (auto& thread : threads)
    thread.join();

  const auto text = metrics.render();
  const auto total = std::to_string(kThreads * kEach);
  const auto half = std::to_string(kThreads * kEach / 2);
  CHECK(
      has_line(text, R"(tew_events_total{topic="shared",type="type",outcome="success"} )" + total));
  CHECK(has_line(text, R"(tew_duplicates_total{topic="own-0"} )" + half));
  CHECK(has_line(text, R"(tew_duplicates_total{topic="own-1"} )" + half));
  CHECK(has_line(text, R"(tew_event_handling_seconds_count{topic="shared"} )" + total));
  CHECK(has_line(text, R"(tew_event_handling_seconds_bucket{topic="shared",le="0.001"} )" + total));
  CHECK(has_line(text, R"(tew_publishes_total{topic="shared",outcome="ok"} )" + half));
  CHECK(has_line(text, R"(tew_publishes_total{topic="shared",outcome="error"} )" + half));
}

TEST_CASE("gauges and counters added by components are read at each render, after the families") {
  Metrics metrics;
  double records = 3;
  metrics.add_gauge("tew_things", "Things held.", [&records] { return records; });
  metrics.add_counter("tew_things_dropped_total", "Things dropped.", [] { return 7.0; });
  auto text = metrics.render();
  CHECK(
      text.ends_with("# HELP tew_things Things held.\n# TYPE tew_things gauge\ntew_things 3\n"
                     "# HELP tew_things_dropped_total Things dropped.\n"
                     "# TYPE tew_things_dropped_total counter\ntew_things_dropped_total 7\n"));
  records = 100000;
  CHECK(has_line(metrics.render(), "tew_things 100000"));
}
