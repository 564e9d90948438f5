// The fault suite: the three services, two replicas each (so two reminder replicas tick on the
// same cron), behind real daprd sidecars, on a real Kafka node (pub/sub) and a real Redis
// (state store, durable as in production), fed a stream of task events whose effects are
// computed in advance (fault_plan.hpp). While the stream runs, in turn: kill -9 a service and
// restart it, kill -9 a daprd and restart it, SIGTERM a service under load and restart it,
// restart Redis, restart Kafka, make follow-on publishing fail (the topics refuse every
// record), publish every event three times. Then every expected effect must exist exactly once
// (by its id), nothing unexpected may exist, and each dead-letter topic must hold exactly the
// poisoned events. Prints the figures.
//
// TEW_FAULTS=short (default: what scripts/test runs) or long (scripts/faults --long: thousands
// of events, a 30 s publish outage); TEW_FAULTS_REPORT=<file> also writes the figures there.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "brokers.hpp"
#include "fault_plan.hpp"
#include "log_lines.hpp"
#include "stack.hpp"
#include "wait_until.hpp"
#include "webhook_receiver.hpp"

namespace {

using namespace tew::e2e;
using namespace tew::faults;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

struct Settings {
  std::string name;
  double tasks_per_second;
  seconds phase;           // from one fault to the next
  seconds down;            // how long a killed process stays away
  seconds publish_outage;  // follow-on publishing refused
  seconds drain;           // at most, after the stream, for the last effects
  seconds quiet;           // then watching that no second effect comes

  static Settings from_env() {
    const char* v = std::getenv("TEW_FAULTS");
    if (v != nullptr && std::string(v) == "long") return {"long", 10, 45s, 5s, 30s, 300s, 20s};
    return {"short", 4, 15s, 2s, 12s, 200s, 15s};
  }
};

// The follow-on topics, and those of them that refuse every record during the publish outage:
// then every publish of notification and reminder fails. recurring publishes on task-events,
// the backend's own topic, which stays open so that events keep coming in; its publishes fail
// while Kafka is down instead.
const std::vector<std::string> kFollowOnTopics{"notifications", "reminders", "task-events"};
const std::vector<std::string> kRefusingTopics{"notifications", "reminders"};
const std::vector<std::string> kDeadLetterTopics{"notification-dead-letters",
                                                 "reminder-dead-letters", "recurring-dead-letters"};

// The sink and the task backend's sidecar use a pub/sub of their own on the same Kafka node, so
// that their consumer group is not one of the services'.
const std::pair<std::string, std::string> kSinkPubsub{"sinkpubsub.yaml",
                                                      R"(apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: sinkpubsub
spec:
  type: pubsub.kafka
  version: v1
  metadata:
    - name: brokers
      value: localhost:9092
    - name: consumerGroup
      value: fault-sink
    - name: clientID
      value: fault-sink
    - name: authType
      value: none
    - name: initialOffset
      value: oldest
scopes:
  - fault-sink
)"};

// The sink's own inbound policy, beside dapr/resiliency.yaml (which knows only the services'
// components): a delivery to the sink that hangs is cut after 10 s and made again, so it cannot
// hold up its topic. The sink answers at once; a retry only follows a timeout or a refused
// connection, and there is no dead-letter topic to give up to.
const std::pair<std::string, std::string> kSinkResiliency{"sink-resiliency.yaml",
                                                          R"(apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: fault-sink
scopes:
  - fault-sink
spec:
  policies:
    timeouts:
      sinkDelivery: 10s
    retries:
      sinkRedelivery:
        policy: constant
        duration: 1s
        maxRetries: -1
  targets:
    components:
      sinkpubsub:
        inbound:
          timeout: sinkDelivery
          retry: sinkRedelivery
)"};

ResourceOptions resources() {
  auto o = with_broker(Broker::kafka);
  o.extra = {kSinkPubsub, kSinkResiliency};
  return o;
}

// The backend: publishes the plan's events at a steady rate through its sidecar, each `copies`
// times, and retries a refused publish as an outbox would.
class Stream {
 public:
  Stream(const Daprd& backend, FaultPlan& plan, std::mutex& plan_mutex, double tasks_per_second)
      : backend_(backend), plan_(plan), plan_mutex_(plan_mutex), rate_(tasks_per_second) {}
  ~Stream() { stop(); }

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void set_copies(int n) { copies_ = n; }
  std::size_t tasks() const { return tasks_; }
  std::size_t events() const { return events_; }
  std::size_t publishes() const { return publishes_; }
  std::size_t refused() const { return refused_; }
  // Extra copies of valid events (poisoned ones are DROPped before dedup, copies or not).
  std::size_t valid_copies() const { return valid_copies_; }
  std::string failure() const {
    std::lock_guard lock(failure_mutex_);
    return failure_;
  }

 private:
  void run() {
    const auto start = Clock::now();
    for (std::size_t i = 0; !stop_; ++i) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(i / rate_)));
      std::vector<PlannedEvent> events;
      {
        std::lock_guard lock(plan_mutex_);
        events = plan_.events_of(i, std::chrono::system_clock::now());
      }
      for (const auto& e : events) {
        const int copies = copies_;
        for (int c = 0; c < copies; ++c)
          if (!publish(e)) return;
        ++events_;
        if (!e.poison) valid_copies_ += static_cast<std::size_t>(copies - 1);
      }
      ++tasks_;
    }
  }

  bool publish(const PlannedEvent& e) {
    const auto deadline = Clock::now() + 180s;
    while (Clock::now() < deadline) {
      int status = 0;
      try {
        status = backend_.publish("task-events", e.cloud_event, "application/cloudevents+json",
                                  "sinkpubsub");
      } catch (const std::exception&) {
      }
      if (status == 204) {
        ++publishes_;
        return true;
      }
      ++refused_;
      std::this_thread::sleep_for(500ms);
    }
    std::lock_guard lock(failure_mutex_);
    failure_ = "the backend's sidecar refused " + e.id + " for 180 s";
    return false;
  }

  const Daprd& backend_;
  FaultPlan& plan_;
  std::mutex& plan_mutex_;
  double rate_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> copies_{1};
  std::atomic<std::size_t> tasks_{0}, events_{0}, publishes_{0}, refused_{0}, valid_copies_{0};
  mutable std::mutex failure_mutex_;
  std::string failure_;
};

// What the world shows: ids of the effects, each with how many times it was seen.
struct Observed {
  std::map<std::string, std::size_t> webhook;    // Idempotency-Key -> requests
  std::map<std::string, std::size_t> sent;       // notification.sent: notification_id -> events
  std::map<std::string, std::size_t> sent_ids;   // notification.sent CloudEvent id -> deliveries
  std::map<std::string, std::size_t> reminders;  // reminder.due CloudEvent id -> deliveries
  std::map<std::string, std::size_t> spawned;    // recurring.trigger task_data.id -> deliveries
  std::map<std::string, std::map<std::string, std::size_t>> dead;  // topic -> id -> deliveries
  std::map<std::string, std::size_t> backend_events;  // the backend's own, on task-events, by id
  std::size_t other_task_events = 0;  // on task-events, neither ours nor a recurring.trigger
  std::map<std::string, std::map<std::string, std::size_t>> records;  // topic -> id -> sightings
  // When a reminder.due (CloudEvent id) or a spawned task (task_data.id) was first seen: for
  // the topics, its record's CreateTime.
  std::map<std::string, std::chrono::system_clock::time_point> reminders_at, spawned_at;
  std::size_t unreadable = 0;  // bodies that are no JSON object
};

// Keeps the Observed up to date as deliveries come (the sink's script calls record() for each)
// and webhook requests arrive (pulled incrementally), so that looking is cheap and never holds
// up the sink or the receiver: copying every delivery once a second would throttle them. The
// records read from the topics themselves go through the same record(), into an Observer of
// their own.
class Observer {
 public:
  explicit Observer(std::string run) : run_(std::move(run)) {}

  void record(const Delivery& d) {
    const auto route = sink_route("");
    if (d.path.rfind(route, 0) == 0)
      record(d.path.substr(route.size()), d.body, std::chrono::system_clock::now());
  }

  // A CloudEvent on `topic`, delivered or read from the topic, seen (or made) at `at`.
  void record(const std::string& topic, const json& body,
              std::chrono::system_clock::time_point at) {
    std::lock_guard lock(mutex_);
    if (!body.is_object()) {
      ++o_.unreadable;
      return;
    }
    const std::string id = body.value("id", "");
    const std::string type = body.value("type", "");
    const auto field = [&](const char* pointer) {
      return body.value(json::json_pointer(pointer), std::string());
    };
    ++o_.records[topic][id];
    if (topic == "notifications") {
      ++o_.sent_ids[id];
      if (type == "notification.sent") ++o_.sent[field("/data/notification/notification_id")];
    } else if (topic == "reminders") {
      ++o_.reminders[id];
      o_.reminders_at.try_emplace(id, at);
    } else if (topic == "task-events") {
      if (type == "recurring.trigger") {
        const auto spawn = field("/data/task_data/id");
        ++o_.spawned[spawn];
        o_.spawned_at.try_emplace(spawn, at);
      } else if (id.rfind(run_ + "-", 0) == 0) {
        ++o_.backend_events[id];
      } else {
        ++o_.other_task_events;
      }
    } else if (std::find(kDeadLetterTopics.begin(), kDeadLetterTopics.end(), topic) !=
               kDeadLetterTopics.end()) {
      ++o_.dead[topic][id];
    }
  }

  Observed snapshot(const tew::testing::WebhookReceiver& hook) {
    std::lock_guard lock(mutex_);
    const auto keys = hook.header_values("Idempotency-Key", hook_seen_);
    hook_seen_ += keys.size();
    for (const auto& k : keys)
      ++o_.webhook[k];
    return o_;
  }
  Observed seen() {
    std::lock_guard lock(mutex_);
    return o_;
  }

 private:
  std::string run_;
  std::mutex mutex_;
  Observed o_;
  std::size_t hook_seen_ = 0;
};

// The topics themselves may hold this many records at most (the long form writes ~20 000).
constexpr std::size_t kTopicRecordBound = 200'000;

// What the sink's topics hold, read from the broker's log (KafkaNode::read_topics) and seen as
// the sink's deliveries are: what the services published, whether the sink's consumer took it
// or not. Kafka's consumer in daprd (sarama) can stop taking one topic after a broker restart
// while the others flow (docs/reliability.md).
Observed on_the_topics(const KafkaNode& kafka, const std::vector<std::string>& topics,
                       const std::string& run) {
  Observer topic_records(run);
  for (const auto& [topic, records] : kafka.read_topics(topics, kTopicRecordBound, 120s))
    for (const auto& r : records)
      topic_records.record(topic, json::parse(r.value, nullptr, false), r.created);
  return topic_records.seen();
}

// Records on `topic` whose id the sink never saw: what its consumer missed.
std::size_t missed_by_sink(const Observed& sink, const Observed& topics, const std::string& topic) {
  if (!topics.records.contains(topic)) return 0;
  const auto seen = sink.records.find(topic);
  std::size_t missed = 0;
  for (const auto& [id, n] : topics.records.at(topic))
    if (seen == sink.records.end() || !seen->second.contains(id)) missed += n;
  return missed;
}

// Ids expected but missing, and ids present but not expected.
struct Diff {
  std::vector<std::string> missing, unexpected;
  std::size_t redundant = 0;  // extra sightings of expected ids (same id again)
};
Diff diff(const std::set<std::string>& expected, const std::map<std::string, std::size_t>& seen) {
  Diff d;
  for (const auto& id : expected)
    if (!seen.contains(id)) d.missing.push_back(id);
  for (const auto& [id, n] : seen) {
    if (!expected.contains(id))
      d.unexpected.push_back(id);
    else
      d.redundant += n - 1;
  }
  return d;
}
// The lines of `text` that contain `needle` (at most `max`), each prefixed with `name`.
std::string lines_naming(const std::string& needle, const std::string& text,
                         const std::string& name, std::size_t max) {
  std::string out;
  std::size_t found = 0, start = 0;
  while (start < text.size() && found < max) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    if (line.find(needle) != std::string_view::npos) {
      out += name + ": " + std::string(line) + "\n";
      ++found;
    }
    start = end + 1;
  }
  if (found == 0) out += name + ": (none)\n";
  return out;
}

std::string show(const Diff& d) {
  std::ostringstream out;
  out << d.missing.size() << " missing, " << d.unexpected.size() << " unexpected";
  for (std::size_t i = 0; i < std::min<std::size_t>(d.missing.size(), 5); ++i)
    out << "\n  missing " << d.missing[i];
  for (std::size_t i = 0; i < std::min<std::size_t>(d.unexpected.size(), 5); ++i)
    out << "\n  unexpected " << d.unexpected[i];
  return out.str();
}

// One service's two replicas, all their processes so far.
struct Service {
  std::string name;
  std::vector<AppReplica> replicas;
  std::string logs() const {
    std::string all;
    for (const auto& r : replicas)
      all += r.log();
    return all;
  }
};

// From a service's logs: deliveries it answered, the distinct events among them, duplicates
// it acknowledged without running them, RETRY answers.
struct Deliveries {
  std::size_t answered = 0, distinct = 0, duplicates = 0, retried = 0, dropped = 0;
};
Deliveries deliveries_of(const std::string& log) {
  static const std::regex id_re(" event_id=([^ ]+)");
  Deliveries d;
  std::set<std::string> ids;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const bool handled = line.find("event handled") != std::string::npos;
    const bool retried = line.find("event will be retried") != std::string::npos;
    const bool dropped = line.find("dropping event") != std::string::npos;
    if (line.find("duplicate event acknowledged") != std::string::npos) ++d.duplicates;
    if (!handled && !retried && !dropped) continue;
    ++d.answered;
    d.retried += retried ? 1 : 0;
    d.dropped += dropped ? 1 : 0;
    std::smatch m;
    if (std::regex_search(line, m, id_re)) ids.insert(m[1]);
  }
  d.distinct = ids.size();
  return d;
}

bool all_in(const std::set<std::string>& ids, const std::map<std::string, std::size_t>& seen) {
  return std::all_of(ids.begin(), ids.end(), [&](const auto& id) { return seen.contains(id); });
}

// Whether every expected effect is there: the webhook's requests as the receiver got them, and
// what the services publish as `published` shows it (the sink's view, or the topics').
bool complete(const Expected& e, const Observed& hook, const Observed& published) {
  return all_in(e.notifications, hook.webhook) && all_in(e.notifications, published.sent) &&
         all_in(e.reminders, published.reminders) && all_in(e.spawned_tasks, published.spawned) &&
         std::all_of(kDeadLetterTopics.begin(), kDeadLetterTopics.end(), [&](const auto& t) {
           return published.dead.contains(t) && all_in(e.dead_letters, published.dead.at(t));
         });
}

// A fault's recovery: from the moment it was undone until every effect of the events published
// before that moment was there (notifications, spawned tasks, and the reminders due by then).
struct Recovery {
  std::string fault;
  Clock::time_point undone;
  std::chrono::system_clock::time_point undone_at;  // the same moment, as records are stamped
  std::set<std::string> notifications, spawned, reminders;  // awaited, by id
  std::optional<std::chrono::milliseconds> took;
  std::optional<std::chrono::milliseconds> notified;  // the webhook's part alone
  bool by_the_topics = false;                         // took settled by the records' CreateTime

  // Notes the time taken once `o` (the sink's view) shows the whole recovery, or its webhook part.
  void look(const Observed& o) {
    const auto since = [&] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - undone);
    };
    if (!notified && all_in(notifications, o.webhook)) notified = since();
    if (!took && notified && all_in(spawned, o.spawned) && all_in(reminders, o.reminders))
      took = since();
  }
  // When the sink's consumer missed some of the awaited records but the topics hold them all:
  // done when the last of them was made (its CreateTime) or the webhook part was there, if later.
  void settle(const Observed& topics) {
    if (took || !notified || !all_in(spawned, topics.spawned) ||
        !all_in(reminders, topics.reminders))
      return;
    auto last = undone_at;
    for (const auto& id : spawned)
      last = std::max(last, topics.spawned_at.at(id));
    for (const auto& id : reminders)
      last = std::max(last, topics.reminders_at.at(id));
    took = std::max(*notified,
                    std::chrono::duration_cast<std::chrono::milliseconds>(last - undone_at));
    by_the_topics = true;
  }
};

}  // namespace

TEST_CASE("fault suite: every effect exactly once through kills, restarts, outages, duplicates") {
  const auto settings = Settings::from_env();
  const std::string run = "f" + std::to_string(std::time(nullptr) % 100000);
  Stack stack(resources(), /*durable_redis=*/true);
  tew::testing::WebhookReceiver hook;
  std::vector<std::string> sink_topics = kFollowOnTopics;
  sink_topics.insert(sink_topics.end(), kDeadLetterTopics.begin(), kDeadLetterTopics.end());
  Observer observer(run);
  ScriptedApp sink(sink_subscriptions(sink_topics, "sinkpubsub"), [&](const Delivery& d) {
    observer.record(d);
    return Answer{};
  });
  const auto backend = stack.sidecar("fault-sink", sink);

  Service notification{"notification", {}}, reminder{"reminder", {}}, recurring{"recurring", {}};
  const std::map<std::string, std::string> notify_env{{"NOTIFY_CHANNELS", "webhook"},
                                                      {"WEBHOOK_URL", hook.url()}};
  const std::map<std::string, std::string> remind_env{{"REMINDER_BUCKET_SECONDS", "5"},
                                                      {"REMINDER_CLAIM_LEASE_SECONDS", "10"}};
  for (int r = 0; r < 2; ++r) {
    notification.replicas.push_back(
        stack.start_app("tew-notification", "notification", notify_env));
    reminder.replicas.push_back(stack.start_app("tew-reminder", "reminder", remind_env));
    recurring.replicas.push_back(stack.start_app("tew-recurring", "recurring"));
  }
  const auto all_logs = [&] {
    std::string out;
    for (const auto* s : {&notification, &reminder, &recurring})
      for (const auto& r : s->replicas)
        out += "---- " + s->name + "\n" + tail(r.log(), 15) + "---- its daprd\n" +
               tail(r.daprd_log(), 15);
    return out + "---- kafka\n" + tail(stack.kafka()->log(), 10);
  };

  // Every line of the recurring replicas, their sidecars and the sink's sidecar that names the
  // completed task behind a missing spawn (the first three): whether it was handled, published,
  // delivered, for the report of a run that failed where its logs are not kept.
  const auto trace_tasks = [&](const Diff& d, const std::map<std::string, std::string>& sources) {
    std::vector<std::pair<std::string, std::string>> logs;  // taken once, searched per spawn
    for (std::size_t r = 0; r < recurring.replicas.size(); ++r) {
      logs.emplace_back("recurring-" + std::to_string(r + 1), recurring.replicas[r].log());
      logs.emplace_back("recurring-" + std::to_string(r + 1) + " daprd",
                        recurring.replicas[r].daprd_log());
    }
    logs.emplace_back("sink daprd", backend->log());
    std::string out;
    for (std::size_t i = 0; i < std::min<std::size_t>(d.missing.size(), 3); ++i) {
      const auto it = sources.find(d.missing[i]);
      const std::string source = it == sources.end() ? d.missing[i] : it->second;
      out += "\n---- lines naming " + source + " (spawns " + d.missing[i] + ")\n";
      // The decision names the completed task; "published recurring.trigger" the new one.
      for (const auto& needle : {source, d.missing[i]})
        for (const auto& [name, text] : logs)
          out += lines_naming(needle, text, name, 20);
    }
    return out;
  };

  FaultPlan plan(run);
  std::mutex plan_mutex;
  Stream stream(*backend, plan, plan_mutex, settings.tasks_per_second);
  std::vector<Recovery> recoveries;
  // Takes a look, notes the recoveries complete by now, and returns what it saw.
  const auto poll = [&] {
    auto o = observer.snapshot(hook);
    for (auto& r : recoveries)
      r.look(o);
    return o;
  };
  const auto watch_for = [&](Clock::duration d) {
    const auto until = Clock::now() + d;
    while (Clock::now() < until) {
      poll();
      std::this_thread::sleep_for(std::min<Clock::duration>(1s, until - Clock::now()));
    }
  };
  const auto undone = [&](const std::string& fault) {
    std::lock_guard lock(plan_mutex);
    Recovery r;
    r.fault = fault;
    r.undone = Clock::now();
    r.undone_at = std::chrono::system_clock::now();
    r.notifications = plan.event_notification_ids();
    r.spawned = plan.expected().spawned_tasks;
    for (const auto& [id, due] : plan.expected().reminder_times)
      if (due <= std::chrono::system_clock::now()) r.reminders.insert(id);
    recoveries.push_back(std::move(r));
    MESSAGE("undone: ", fault);
  };
  const auto refuse_records = [&](bool refuse) {
    std::vector<std::future<void>> tools;
    for (const auto& t : kRefusingTopics)
      tools.push_back(std::async(std::launch::async, [&, t] {
        if (refuse)
          stack.kafka()->alter_topic(t, "max.message.bytes=1");
        else
          stack.kafka()->alter_topic(t, "", "max.message.bytes");
      }));
    for (auto& f : tools)
      f.get();
  };

  // The stream starts; faults begin once events flow (Kafka's consumer groups have joined).
  const auto started = Clock::now();
  stream.start();
  REQUIRE_MESSAGE(hook.wait_for([](const auto& got) { return !got.empty(); }, kDelivery),
                  all_logs());
  watch_for(settings.phase);

  const auto phase = [&](const std::string& fault, const std::function<void()>& act) {
    const auto begun = Clock::now();
    MESSAGE("fault: ", fault);
    act();
    undone(fault);
    REQUIRE_MESSAGE(stream.failure().empty(), stream.failure());
    watch_for(settings.phase - std::min<Clock::duration>(settings.phase, Clock::now() - begun));
  };
  phase("kill -9 a notification replica, restart it",
        [&] { stack.restart_app(notification.replicas[0], SIGKILL, settings.down); });
  phase("kill -9 a reminder replica's daprd, restart it",
        [&] { stack.restart_sidecar(reminder.replicas[0], settings.down); });
  phase("SIGTERM a recurring replica under load (graceful), restart it",
        [&] { CHECK(stack.restart_app(recurring.replicas[0], SIGTERM, settings.down) == 0); });
  phase("kill -9 Redis (state store, append-only file), restart it", [&] {
    std::this_thread::sleep_for(settings.down);
    stack.redis().restart();
  });
  phase("kill -9 Kafka, restart it", [&] { stack.kafka()->restart(); });
  phase("follow-on publishing fails (topics refuse every record)", [&] {
    refuse_records(true);
    watch_for(settings.publish_outage);
    refuse_records(false);
  });
  phase("the backend publishes every event three times", [&] {
    stream.set_copies(3);
    watch_for(settings.phase);
    stream.set_copies(1);
  });
  stream.stop();
  REQUIRE_MESSAGE(stream.failure().empty(), stream.failure());
  const auto stream_ended = Clock::now();

  // Drain: until everything expected is there (or the bound), then watch for doubles. The
  // sink's consumer has the first minute alone (a slow one still shows its figures); after that
  // the topics themselves count too, looked at every 10 s, so that a consumer that stopped
  // taking a topic does not hold the drain up to its bound.
  Expected expected;
  {
    std::lock_guard lock(plan_mutex);
    expected = plan.expected();
  }
  auto topics_looked_at = stream_ended + 50s;
  const auto drain_complete = [&] {
    const auto o = poll();
    if (complete(expected, o, o)) return true;
    if (Clock::now() - topics_looked_at < 10s) return false;
    topics_looked_at = Clock::now();
    return complete(expected, o, on_the_topics(*stack.kafka(), sink_topics, run));
  };
  const bool drained = wait_until(drain_complete, settings.drain, 1s);
  const auto drain_took = Clock::now() - stream_ended;
  watch_for(settings.quiet);
  const auto o = observer.snapshot(hook);
  // What the services published, as the topics hold it: the verdict on those effects. The
  // sink's view is a part of it, and must hold nothing unexpected either.
  const auto t = on_the_topics(*stack.kafka(), sink_topics, run);
  for (auto& r : recoveries)
    r.settle(t);

  // The figures.
  const auto n = notification.logs(), m = reminder.logs(), c = recurring.logs();
  const auto dn = deliveries_of(n), dm = deliveries_of(m), dc = deliveries_of(c);
  const auto webhook = diff(expected.notifications, o.webhook);
  const auto sent = diff(expected.notifications, t.sent);
  const auto reminders = diff(expected.reminders, t.reminders);
  const auto spawned = diff(expected.spawned_tasks, t.spawned);
  const auto sink_sent = diff(expected.notifications, o.sent);
  const auto sink_reminders = diff(expected.reminders, o.reminders);
  const auto sink_spawned = diff(expected.spawned_tasks, o.spawned);
  std::size_t sent_redundant = 0;
  for (const auto& [id, k] : o.sent_ids)
    sent_redundant += k - 1;
  const auto secs = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 1000.0;
  };
  std::ostringstream fig;
  fig << "fault suite (" << settings.name << "): " << secs(Clock::now() - started)
      << " s, Kafka pub/sub, Redis state store, 2 replicas per service\n"
      << "events in: " << stream.tasks() << " tasks, " << stream.events() << " events ("
      << expected.dead_letters.size() << " poisoned), " << stream.publishes()
      << " publishes accepted, " << stream.refused() << " refused and retried by the backend\n"
      << "effects out (distinct / expected / extra sightings of the same id, as the sink saw "
         "them; distinct on the topic):\n"
      << "  webhook notifications  " << o.webhook.size() << " / " << expected.notifications.size()
      << " / " << webhook.redundant << " re-sent with the same Idempotency-Key\n"
      << "  notification.sent      " << o.sent.size() << " / " << expected.notifications.size()
      << " / " << sent_redundant << " redelivered by the broker; " << t.sent.size() << "\n"
      << "  reminder.due           " << o.reminders.size() << " / " << expected.reminders.size()
      << " / " << sink_reminders.redundant << "; " << t.reminders.size() << "\n"
      << "  spawned tasks          " << o.spawned.size() << " / " << expected.spawned_tasks.size()
      << " / " << sink_spawned.redundant << "; " << t.spawned.size() << "\n";
  const auto dead_on = [](const Observed& v, const std::string& topic) {
    return v.dead.contains(topic) ? v.dead.at(topic).size() : 0;
  };
  for (const auto& d : kDeadLetterTopics)
    fig << "  " << d << "  " << dead_on(o, d) << " / " << expected.dead_letters.size() << "; "
        << dead_on(t, d) << "\n";
  fig << "backend events on task-events seen by the sink: " << o.backend_events.size() << " / "
      << stream.events() << " (on the topic: " << t.backend_events.size() << ")\n";
  std::string missed;
  for (const auto& topic : sink_topics)
    if (const auto n = missed_by_sink(o, t, topic); n > 0)
      missed += "\n  " + topic + ": the sink's consumer missed " + std::to_string(n) +
                " records that are on the topic";
  fig << "the sink's consumer against the topics:"
      << (missed.empty() ? std::string(" it saw every record on them") : missed) << "\n";
  fig << "deliveries to the services (answered / distinct events / redeliveries / duplicates "
         "suppressed / RETRY answered):\n";
  for (const auto& [name, d] : {std::pair{"notification", dn}, {"reminder", dm}, {"recurring", dc}})
    fig << "  " << name << "  " << d.answered << " / " << d.distinct << " / "
        << d.answered - d.distinct << " / " << d.duplicates << " / " << d.retried << "\n";
  fig << "time to recover (fault undone -> every effect of the events before it, and of the "
         "reminders due by then, is there):\n";
  for (const auto& r : recoveries)
    fig << "  " << r.fault << ": "
        << (r.took ? std::to_string(r.took->count() / 1000.0).substr(0, 5) + " s"
                   : std::string("not within the run"))
        << (r.by_the_topics ? " (by the records' CreateTime: the sink missed some)" : "") << "\n";
  fig << "drain after the stream: " << secs(drain_took) << " s\n";
  std::cout << fig.str() << std::flush;
  if (const char* report = std::getenv("TEW_FAULTS_REPORT")) std::ofstream(report) << fig.str();
  if (const char* dir = std::getenv("TEW_FAULTS_LOGS")) {  // every process's whole log
    std::filesystem::create_directories(dir);
    for (const auto* s : {&notification, &reminder, &recurring})
      for (std::size_t r = 0; r < s->replicas.size(); ++r) {
        const auto base = std::filesystem::path(dir) / (s->name + "-" + std::to_string(r + 1));
        std::ofstream(base.string() + ".log") << s->replicas[r].log();
        std::ofstream(base.string() + "-daprd.log") << s->replicas[r].daprd_log();
      }
    std::ofstream(std::filesystem::path(dir) / "sink-daprd.log") << backend->log();
    std::ofstream(std::filesystem::path(dir) / "kafka.log") << stack.kafka()->log();
  }

  CHECK_MESSAGE(drained, (fig.str() + all_logs()));
  CHECK_MESSAGE(webhook.missing.empty(), ("webhook: " + show(webhook)));
  CHECK_MESSAGE(webhook.unexpected.empty(), ("webhook: " + show(webhook)));
  // Follow-on events and dead letters are judged as the topics hold them; a record the sink's
  // consumer missed is in the figures, not a failure, but the sink saw nothing unexpected.
  CHECK(t.unreadable == 0);
  CHECK_MESSAGE(sent.missing.empty(), ("notification.sent: " + show(sent)));
  CHECK_MESSAGE(sent.unexpected.empty(), ("notification.sent: " + show(sent)));
  CHECK_MESSAGE(sink_sent.unexpected.empty(), ("notification.sent, sink: " + show(sink_sent)));
  CHECK_MESSAGE(reminders.missing.empty(), ("reminder.due: " + show(reminders)));
  CHECK_MESSAGE(reminders.unexpected.empty(), ("reminder.due: " + show(reminders)));
  CHECK_MESSAGE(sink_reminders.unexpected.empty(), ("reminder.due, sink: " + show(sink_reminders)));
  CHECK_MESSAGE(spawned.missing.empty(),
                ("spawned: " + show(spawned) + trace_tasks(spawned, expected.spawn_sources)));
  CHECK_MESSAGE(spawned.unexpected.empty(), ("spawned: " + show(spawned)));
  CHECK_MESSAGE(sink_spawned.unexpected.empty(), ("spawned, sink: " + show(sink_spawned)));
  // One notification.sent event per notification: a re-run publishes the identical event
  // (same CloudEvent id), so the distinct ids on the topic are exactly the notifications.
  CHECK(t.sent_ids.size() == t.sent.size());
  CHECK(o.sent_ids.size() == o.sent.size());
  CHECK(t.other_task_events == 0);
  CHECK(o.other_task_events == 0);
  for (const auto& topic : kDeadLetterTopics) {
    CAPTURE(topic);
    std::map<std::string, std::size_t> none;
    const auto dead = diff(expected.dead_letters, t.dead.contains(topic) ? t.dead.at(topic) : none);
    const auto sink_dead =
        diff(expected.dead_letters, o.dead.contains(topic) ? o.dead.at(topic) : none);
    CHECK_MESSAGE(dead.missing.empty(), show(dead));
    CHECK_MESSAGE(dead.unexpected.empty(), show(dead));
    CHECK_MESSAGE(sink_dead.unexpected.empty(), show(sink_dead));
  }
  CHECK(dn.dropped + dm.dropped + dc.dropped >= 3 * expected.dead_letters.size());
  // Every extra copy the backend published reached each service and was acknowledged as a
  // duplicate without running again.
  const auto copies = stream.valid_copies();
  CHECK(copies > 0);
  for (const auto& d : {dn, dm, dc})
    CHECK(d.duplicates >= copies);
  // A webhook POST is re-sent (same Idempotency-Key) only when a process dies, or the state
  // store goes away, between the POST and the record of it: a handful of windows in this run.
  // Hundreds of copies were published, so a broken dedup or delivery record shows far above.
  CHECK_MESSAGE(webhook.redundant <= 3, fig.str());
  // Every fault was recovered from.
  for (const auto& r : recoveries)
    CHECK_MESSAGE(r.took.has_value(), r.fault);
}
