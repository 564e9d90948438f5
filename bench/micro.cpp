// Micro-benchmarks of the hot paths, plain chrono loops, one benchmark per process run so a
// memory measurement starts from a fresh heap. Prints one JSON line per result. Usage:
//   tew-bench-micro parse|dedup|rrule|tick|dedup-memory [--quick] [--event FILE]
// --quick: small counts, for the smoke test (seconds, not minutes).
#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "recurring/occurrences.hpp"
#include "run_awaitable.hpp"
#include "tew/cloud_event.hpp"
#include "tew/due_index.hpp"
#include "tew/memory_dedup_store.hpp"
#include "tew/task_event.hpp"

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using tew::testing::run_awaitable;

namespace {

struct Settings {
  bool quick = false;
  std::string event_file = "tests/fixtures/events/task_created.json";
};

void report(const std::string& name, std::uint64_t ops, Clock::duration took,
            nlohmann::json extra = nlohmann::json::object()) {
  const double ns = std::chrono::duration<double, std::nano>(took).count();
  extra["name"] = name;
  extra["ops"] = ops;
  extra["ns_per_op"] = ops ? ns / static_cast<double>(ops) : 0.0;
  extra["ops_per_s"] = ns > 0 ? static_cast<double>(ops) * 1e9 / ns : 0.0;
  std::cout << extra.dump() << std::endl;
}

long own_rss_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return 0;
}

// What a handler does before dedup: the body as a structured CloudEvent, then its payload as a
// task event (schema validation included).
void bench_parse(const Settings& s) {
  std::ifstream in(s.event_file);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::uint64_t n = s.quick ? 2'000 : 200'000;
  std::uint64_t valid = 0;
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < n; ++i) {
    auto event = tew::parse_structured_event(std::string_view(body));
    if (!event) continue;
    auto payload = std::move(*event).payload_json();
    if (payload && tew::parse_task_event(std::move(*payload))) ++valid;
  }
  report("cloudevent parse+validate", n, Clock::now() - start,
         {{"valid", valid}, {"body_bytes", body.size()}});
}

tew::DedupKey key_of(std::uint64_t i) {
  return {"notification/events/task-events", "task-api", fmt::format("{:036}", i)};
}

// claim + complete of `n` distinct ids, in one coroutine (the store never suspends).
asio::awaitable<std::uint64_t> claim_and_complete(tew::MemoryDedupStore& store, std::uint64_t n) {
  std::uint64_t done = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto key = key_of(i);
    const auto claim = co_await store.claim(key);
    if (claim && claim->state == tew::ClaimState::acquired && co_await store.complete(key, *claim))
      ++done;
  }
  co_return done;
}

void bench_dedup(const Settings& s) {
  const tew::SystemClock clock;
  const std::uint64_t n = s.quick ? 10'000 : 1'000'000;
  tew::MemoryDedupStore store(clock, {}, 1'000'000);
  const auto start = Clock::now();
  const auto done = run_awaitable(claim_and_complete(store, n));
  report("dedup claim+complete (memory)", n, Clock::now() - start, {{"completed", done}});
}

// The resident memory 1 M remembered ids cost: RSS before the store exists and after it holds
// them all (the key text is built per id and freed, as in a handler).
void bench_dedup_memory(const Settings& s) {
  const tew::SystemClock clock;
  const std::uint64_t n = s.quick ? 20'000 : 1'000'000;
  const auto before = own_rss_kb();
  tew::MemoryDedupStore store(clock, {}, n);
  const auto start = Clock::now();
  const auto done = run_awaitable(claim_and_complete(store, n));
  const auto took = Clock::now() - start;
  const auto after = own_rss_kb();
  report("dedup memory", n, took,
         {{"remembered", store.size()},
          {"completed", done},
          {"rss_delta_kb", after - before},
          {"bytes_per_id", static_cast<double>(after - before) * 1024.0 / static_cast<double>(n)}});
}

void bench_rrule(const Settings& s) {
  namespace rec = tew::recurring;
  rec::load_time_zones();
  const auto rule = rec::parse_rrule("FREQ=WEEKLY;BYDAY=MO,WE,FR").value();
  const rec::Recurrence r{rule, rec::find_time_zone("Europe/Berlin", "timezone").value(),
                          rec::parse_local("2026-03-02T09:00:00", "due_date").value()};
  const auto first = rec::occurrence_at(r, r.anchor, 1);
  const std::uint64_t n = s.quick ? 2'000 : 200'000;
  auto current = first;
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < n; ++i) {
    // Restart every 1000 occurrences (~6 years) so every step is a typical near date.
    if (i % 1000 == 0) current = first;
    current = rec::next_occurrence(r, rec::RecurrenceMode::due, current, current.start).value();
  }
  report("rrule next occurrence", n, Clock::now() - start,
         {{"rule", "FREQ=WEEKLY;BYDAY=MO,WE,FR Europe/Berlin"}});
}

tew::DueIndex::Change schedule_at(tew::Timestamp due) {
  return [due](const std::optional<tew::DueRecord>&) {
    tew::DueRecord record;
    record.due = due;
    record.payload = {{"task_id", "bench"}};
    return std::optional<tew::DueRecord>(record);
  };
}

// Schedules `n` ids (named `prefix`i) with due times from `first`, `step` apart.
asio::awaitable<bool> schedule(tew::DueIndex& index, tew::testing::FakeSidecar& sidecar,
                               std::string prefix, std::uint64_t n, tew::Timestamp first,
                               std::chrono::microseconds step) {
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!co_await index.update(prefix + std::to_string(i), schedule_at(first + step * i)))
      co_return false;
    if (i % 1000 == 999) sidecar.clear_recorded();  // the fake records every call
  }
  sidecar.clear_recorded();
  co_return true;
}

// One tick that finds `due` records due among `scheduled` in all (the rest spread over the next
// 30 days), on the in-process fake sidecar: the cost of the index itself, without HTTP.
void bench_tick_with(std::uint64_t scheduled, std::uint64_t due, int rounds) {
  tew::testing::FakeClock clock;
  tew::testing::FakeSidecar sidecar(clock);
  tew::DueIndexOptions options;
  options.store = "statestore";
  options.key_prefix = "reminder|reminders|";
  options.max_firings_per_tick = static_cast<int>(due) * 2;
  tew::DueIndex index(sidecar, clock, options);
  const auto t0 = clock.now();
  const auto later = std::chrono::microseconds(30 * 24h) / std::max<std::uint64_t>(scheduled, 1);
  if (!run_awaitable(schedule(index, sidecar, "later-", scheduled - due, t0 + 1h, later)))
    throw std::runtime_error("scheduling failed");
  std::vector<double> ms;
  int fired = 0;
  int records_read = 0;
  std::size_t sidecar_calls = 0;  // the state reads and writes of the ticks
  for (int round = 0; round < rounds; ++round) {
    const auto now = clock.now();
    if (!run_awaitable(schedule(index, sidecar, fmt::format("due{}-", round), due, now + 1s,
                                std::chrono::microseconds(50s) / due)))
      throw std::runtime_error("scheduling failed");
    clock.set(now + 60s);
    const auto start = Clock::now();
    const auto tick =
        run_awaitable(index.tick([](const tew::DueFiring&) -> asio::awaitable<tew::Result<void>> {
          co_return tew::Result<void>{};
        }));
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    fired += tick.fired;
    records_read += tick.records_read;
    sidecar_calls += sidecar.calls().size();
    sidecar.clear_recorded();
  }
  std::sort(ms.begin(), ms.end());
  std::cout << nlohmann::json{{"name", "reminder tick"},
                              {"scheduled", scheduled},
                              {"due", due},
                              {"rounds", rounds},
                              {"fired", fired},
                              {"records_read", records_read},
                              {"sidecar_calls", sidecar_calls},
                              {"tick_ms_median", ms[ms.size() / 2]},
                              {"tick_ms_max", ms.back()}}
                   .dump()
            << std::endl;
}

void bench_tick(const Settings& s) {
  const std::uint64_t due = s.quick ? 100 : 1'000;
  const int rounds = s.quick ? 3 : 5;
  bench_tick_with(due, due, rounds);
  bench_tick_with(s.quick ? 10'000 : 1'000'000, due, rounds);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: tew-bench-micro parse|dedup|rrule|tick|dedup-memory [--quick] "
                 "[--event FILE]\n";
    return 2;
  }
  const std::string name = argv[1];
  Settings s;
  for (int i = 2; i < argc; ++i) {
    const std::string option = argv[i];
    if (option == "--quick")
      s.quick = true;
    else if (option == "--event" && i + 1 < argc)
      s.event_file = argv[++i];
  }
  if (name == "parse")
    bench_parse(s);
  else if (name == "dedup")
    bench_dedup(s);
  else if (name == "dedup-memory")
    bench_dedup_memory(s);
  else if (name == "rrule")
    bench_rrule(s);
  else if (name == "tick")
    bench_tick(s);
  else {
    std::cerr << "tew-bench-micro: unknown benchmark " << name << "\n";
    return 2;
  }
}
