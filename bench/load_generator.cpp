// The load generator of scripts/bench: POSTs CloudEvents exactly as daprd delivers them
// (structured, application/cloudevents+json, the envelope of a fixture with a fresh id each) over
// N keep-alive connections, open-loop at a fixed rate or closed-loop at full speed, bounded in
// count and in time. Latency of a fixed-rate run counts from the intended send time, so a
// stalled server is charged for the requests it delayed (no coordinated omission).
// Prints one JSON line of results on stdout; see usage() for the options.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kIdPlaceholder = "00000000-0000-4000-8000-00000000TEW0";

struct Options {
  std::uint16_t port = 0;
  std::string path = "/events/task-events";
  std::string event_file;
  int connections = 16;
  double rate = 0;  // events/s over all connections; 0: full speed
  std::uint64_t count = 100'000;
  double seconds = 10;
  double duplicates = 0;  // share of events that repeat the id of an earlier one
  int server_pid = 0;     // for RSS and CPU; 0: not reported
  std::string label;
};

[[noreturn]] void usage(const std::string& why, int exit_code = 2) {
  std::cerr << "tew-bench-load: " << why << "\n"
            << "usage: tew-bench-load --port P --event FILE [--path /events/task-events]\n"
               "         [--connections 16] [--rate EVENTS_PER_S (0: full speed)]\n"
               "         [--count 100000] [--seconds 10] [--duplicates 0.0..1.0]\n"
               "         [--pid SERVER_PID] [--label NAME]\n";
  std::exit(exit_code);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (name == "--help" || name == "-h") usage("POSTs CloudEvents as daprd delivers them", 0);
    if (i + 1 >= argc) usage(name + " needs a value");
    const std::string value = argv[i + 1];
    try {
      if (name == "--port")
        o.port = static_cast<std::uint16_t>(std::stoi(value));
      else if (name == "--path")
        o.path = value;
      else if (name == "--event")
        o.event_file = value;
      else if (name == "--connections")
        o.connections = std::stoi(value);
      else if (name == "--rate")
        o.rate = std::stod(value);
      else if (name == "--count")
        o.count = std::stoull(value);
      else if (name == "--seconds")
        o.seconds = std::stod(value);
      else if (name == "--duplicates")
        o.duplicates = std::stod(value);
      else if (name == "--pid")
        o.server_pid = std::stoi(value);
      else if (name == "--label")
        o.label = value;
      else
        usage("unknown option " + name);
    } catch (const std::logic_error&) {
      usage("bad value for " + name + ": " + value);
    }
  }
  if (o.port == 0 || o.event_file.empty()) usage("--port and --event are required");
  if (o.connections < 1 || o.rate < 0 || o.seconds <= 0 || o.duplicates < 0 || o.duplicates > 1)
    usage("out of range: --connections >= 1, --rate >= 0, --seconds > 0, 0 <= --duplicates <= 1");
  return o;
}

// The request daprd sends, split around what differs per event so each request is a few
// copies, not a JSON serialization: the event id; the task id (every occurrence: a recurring
// task repeats it as series and parent), so each event is about a task of its own, as in real
// traffic; and the reminder time, spread over the minutes of the next week, so reminders land
// in different buckets as real ones do. A duplicate repeats all three. Every substitute has the
// length of what it replaces, so Content-Length is fixed.
class RequestTemplate {
 public:
  RequestTemplate(const Options& o, const nlohmann::json& event) {
    auto doc = event;
    doc["id"] = kIdPlaceholder;
    const auto body = doc.dump();
    const auto head = fmt::format(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUser-Agent: Go-http-client/1.1\r\n"
        "Content-Length: {}\r\nContent-Type: application/cloudevents+json\r\n"
        "Pubsubname: {}\r\nTraceparent: {}\r\nTracestate: \r\nAccept-Encoding: gzip\r\n\r\n",
        o.path, o.port, body.size(), doc.value("pubsubname", ""), doc.value("traceparent", ""));
    const auto data = doc.value("data", nlohmann::json::object());
    const auto task = data.is_object() ? data.value("task_data", nlohmann::json::object())
                                       : nlohmann::json::object();
    std::vector<std::pair<std::string, Kind>> varying = {{std::string(kIdPlaceholder), event_id}};
    if (data.is_object() && data.value("task_id", "").size() == kIdPlaceholder.size())
      varying.emplace_back(data.value("task_id", ""), task_id);
    if (task.is_object() && task.value("remind_at", "").size() == kMinuteLength)
      varying.emplace_back(task.value("remind_at", ""), remind_at);
    split(head, body, varying);
  }

  void render(std::string& out, std::uint32_t run, std::uint64_t seq) const {
    out.clear();
    for (const auto& [text, kind] : pieces_) {
      out += text;
      if (kind == remind_at)
        fmt::format_to(std::back_inserter(out), "{:%Y-%m-%dT%H:%M:00Z}",
                       fmt::gmtime(first_minute_ + 60 * static_cast<std::time_t>(seq % 10080)));
      else
        fmt::format_to(std::back_inserter(out), "{:08x}-0000-4000-{}000-{:012x}", run,
                       kind == event_id ? '8' : '9', seq);
    }
    out += tail_;
  }

 private:
  enum Kind { event_id, task_id, remind_at };
  static constexpr std::size_t kMinuteLength = std::string_view("2026-03-03T16:30:00Z").size();

  void split(const std::string& head, const std::string& body,
             const std::vector<std::pair<std::string, Kind>>& varying) {
    std::string text = head;
    for (std::size_t at = 0;;) {
      auto next = std::string::npos;
      const std::pair<std::string, Kind>* found = nullptr;
      for (const auto& v : varying)
        if (const auto pos = body.find(v.first, at); pos < next) next = pos, found = &v;
      text += body.substr(at, next - at);
      if (!found) break;
      pieces_.emplace_back(std::move(text), found->second);
      text.clear();
      at = next + found->first.size();
    }
    tail_ = std::move(text);
  }

  std::vector<std::pair<std::string, Kind>> pieces_;  // text, then what follows it
  std::string tail_;
  std::time_t first_minute_ = (std::time(nullptr) / 60 + 24 * 60) * 60;  // tomorrow
};

struct ProcSample {
  long rss_kb = 0;
  long hwm_kb = 0;
  double cpu_seconds = 0;
};

std::optional<ProcSample> sample_process(int pid) {
  if (pid <= 0) return std::nullopt;
  ProcSample s;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  if (!status) return std::nullopt;
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) s.rss_kb = std::stol(line.substr(6));
    if (line.starts_with("VmHWM:")) s.hwm_kb = std::stol(line.substr(6));
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command (which may hold spaces) start after the last ')'; utime and
  // stime are fields 14 and 15 of the whole line, 12 and 13 after it.
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i)
    if (i >= 12) ticks += std::stod(field);
  s.cpu_seconds = ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  return s;
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Run {
  Run(const Options& o, const RequestTemplate& r, std::uint32_t id)
      : options(o), request(r), run_id(id) {}

  const Options& options;
  const RequestTemplate& request;
  std::uint32_t run_id;
  Clock::time_point start;
  Clock::time_point deadline;
  std::uint64_t next = 0;  // the next event's sequence number
  std::uint64_t sent = 0;
  std::uint64_t duplicates_sent = 0;  // of `sent`, repeating an earlier id
  std::uint64_t ok = 0;
  std::uint64_t non_success = 0;
  std::uint64_t errors = 0;
  std::vector<std::uint32_t> latencies_us;
  Clock::time_point last_answer;
  std::mt19937_64 random{42};
  long peak_rss_kb = 0;
  bool finished = false;

  // The ids of the last kRecent events answered SUCCESS, oldest overwritten first.
  static constexpr std::size_t kRecent = 4096;
  std::vector<std::uint64_t> recent;
  std::size_t recent_next = 0;

  std::unordered_set<std::uint64_t> in_flight;  // ids of the requests awaiting their answer

  // Event `seq` repeats, with probability `duplicates`, the id of a recent event already
  // answered SUCCESS, as a redelivery after a lost acknowledgement does, and never one that is
  // in flight (say a repeat of an id the server no longer remembers): a duplicate of an event
  // still being handled is rightly answered RETRY, which is not what this load measures.
  std::uint64_t id_for(std::uint64_t seq) {
    if (options.duplicates <= 0 || recent.empty()) return seq;
    if (std::uniform_real_distribution<>(0, 1)(random) >= options.duplicates) return seq;
    const auto id = recent[random() % recent.size()];
    return in_flight.contains(id) ? seq : id;
  }
  void answered_success(std::uint64_t id) {
    if (recent.size() < kRecent)
      recent.push_back(id);
    else
      recent[recent_next++ % kRecent] = id;
  }
};

asio::awaitable<bool> connect(tcp::socket& socket, std::uint16_t port) {
  beast::error_code ignored;
  socket.close(ignored);
  auto [error] = co_await socket.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kTuple);
  if (!error) socket.set_option(tcp::no_delay(true));
  co_return !error;
}

asio::awaitable<void> connection(Run& run) {
  const auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  asio::steady_timer timer(executor);
  beast::flat_buffer buffer;
  std::string text;
  bool connected = co_await connect(socket, run.options.port);
  const auto interval = run.options.rate > 0 ? std::chrono::duration<double>(1.0 / run.options.rate)
                                             : std::chrono::duration<double>(0);
  while (run.next < run.options.count) {
    const auto seq = run.next++;
    auto intended = Clock::now();
    if (run.options.rate > 0) {
      intended = run.start + std::chrono::duration_cast<Clock::duration>(interval * seq);
      if (intended >= run.deadline) break;
      timer.expires_at(intended);
      co_await timer.async_wait(kTuple);
    } else if (intended >= run.deadline) {
      break;
    }
    if (!connected && !(connected = co_await connect(socket, run.options.port))) {
      ++run.errors;
      continue;
    }
    const auto id = run.id_for(seq);
    run.in_flight.insert(id);
    struct Answered {
      Run& run;
      std::uint64_t id;
      ~Answered() { run.in_flight.erase(id); }
    } answered{run, id};
    run.request.render(text, run.run_id, id);
    auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(text), kTuple);
    if (!write_error) {
      ++run.sent;
      if (id != seq) ++run.duplicates_sent;
    }
    http::response<http::string_body> response;
    beast::error_code read_error = write_error;
    if (!write_error)
      std::tie(read_error, std::ignore) =
          co_await http::async_read(socket, buffer, response, kTuple);
    if (read_error) {
      ++run.errors;
      connected = false;
      buffer.clear();
      continue;
    }
    const auto now = Clock::now();
    run.last_answer = now;
    run.latencies_us.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now - intended).count()));
    // An app answers 200 SUCCESS; daprd's publish API (the end-to-end runs post there) 204.
    const bool success = response.result() == http::status::no_content ||
                         (response.result() == http::status::ok &&
                          response.body().find(R"("SUCCESS")") != std::string::npos);
    ++(success ? run.ok : run.non_success);
    if (success) run.answered_success(id);
    if (!response.keep_alive()) connected = false;
  }
}

asio::awaitable<void> watch_memory(Run& run) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!run.finished) {
    if (const auto s = sample_process(run.options.server_pid))
      run.peak_rss_kb = std::max(run.peak_rss_kb, s->rss_kb);
    timer.expires_after(50ms);
    co_await timer.async_wait(kTuple);
  }
}

std::uint32_t percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

nlohmann::json read_event(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage("cannot read " + path);
  auto doc = nlohmann::json::parse(in, nullptr, false);
  if (!doc.is_object()) usage(path + " is not a JSON object");
  return doc;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  const RequestTemplate request(options, read_event(options.event_file));
  const auto idle = sample_process(options.server_pid);

  asio::io_context io{1};
  Run run(options, request, static_cast<std::uint32_t>(std::random_device{}()));
  run.latencies_us.reserve(std::min<std::uint64_t>(options.count, 50'000'000));
  const auto budget =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  const auto cpu_before = own_cpu_seconds();
  run.start = Clock::now();
  run.deadline = run.start + budget;
  run.last_answer = run.start;
  int open = options.connections;
  for (int i = 0; i < options.connections; ++i)
    asio::co_spawn(io, connection(run), [&](std::exception_ptr error) {
      if (error) std::rethrow_exception(error);
      if (--open == 0) run.finished = true;
    });
  asio::co_spawn(io, watch_memory(run), asio::detached);
  // A request that never gets its answer must not hold the run: stop 5 s after the budget.
  io.run_for(budget + 5s);
  const auto under_load = sample_process(options.server_pid);

  const double elapsed = std::chrono::duration<double>(run.last_answer - run.start).count();
  const double client_cpu = own_cpu_seconds() - cpu_before;
  std::sort(run.latencies_us.begin(), run.latencies_us.end());
  const auto answered = run.ok + run.non_success;
  nlohmann::json result = {
      {"label", options.label},
      {"rate", options.rate},
      {"connections", options.connections},
      {"duplicates", options.duplicates},
      {"sent", run.sent},
      {"duplicates_sent", run.duplicates_sent},
      {"answered", answered},
      {"ok", run.ok},
      {"non_success", run.non_success},
      {"errors", run.errors},
      {"seconds", elapsed},
      {"events_per_s", elapsed > 0 ? static_cast<double>(answered) / elapsed : 0.0},
      {"p50_us", percentile(run.latencies_us, 0.50)},
      {"p99_us", percentile(run.latencies_us, 0.99)},
      {"p999_us", percentile(run.latencies_us, 0.999)},
      {"max_us", run.latencies_us.empty() ? 0 : run.latencies_us.back()},
      {"client_cpu", elapsed > 0 ? client_cpu / elapsed : 0.0},
  };
  if (idle && under_load) {
    result["rss_idle_kb"] = idle->rss_kb;
    result["rss_load_kb"] = std::max(run.peak_rss_kb, under_load->rss_kb);
    result["hwm_kb"] = under_load->hwm_kb;
    result["server_cpu"] =
        elapsed > 0 ? (under_load->cpu_seconds - idle->cpu_seconds) / elapsed : 0;
  }
  std::cout << result.dump() << std::endl;
  return answered == 0 ? 1 : 0;
}
