// The reminder service's variables: defaults, reads, validation, and their section of
// docs/configuration.md.
#include "reminder/config.hpp"

#include <doctest/doctest.h>

#include <map>

#include "config_doc.hpp"

namespace {

using namespace std::chrono_literals;
using Vars = std::map<std::string, std::string, std::less<>>;

struct Read {
  tew::Env env;
  reminder::ReminderConfig config;
};

Read read(Vars vars) {
  Read r{tew::Env([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
           const auto it = vars.find(name);
           if (it == vars.end()) return std::nullopt;
           return it->second;
         }),
         {}};
  r.config = reminder::read_reminder_config(r.env);
  return r;
}

}  // namespace

TEST_CASE("every reminder variable has its default when the environment is empty") {
  const auto [env, c] = read({});
  CHECK(env.errors().empty());
  CHECK(c.task_events_topic == "task-events");
  CHECK(c.reminders_topic == "reminders");
  CHECK(c.dead_letter_topic == "reminder-dead-letters");
  CHECK(c.tick_binding == "reminder-tick");
  CHECK(c.lead_time == 900s);
  CHECK(c.late_after == 60s);
  CHECK(c.max_lateness == 3600s);
  CHECK(c.bucket_width == 60s);
  CHECK(c.max_buckets_per_tick == 60);
  CHECK(c.max_firings_per_tick == 500);
  CHECK(c.claim_lease == 60s);
  CHECK(c.retention == 2592000s);
}

TEST_CASE("every reminder variable is read into its field and into the schedule's options") {
  const auto [env, c] = read({{"TASK_EVENTS_TOPIC", "tasks"},
                              {"REMINDERS_TOPIC", "due"},
                              {"DEAD_LETTER_TOPIC", "dead"},
                              {"REMINDER_TICK_BINDING", "every-10s"},
                              {"REMINDER_LEAD_TIME_SECONDS", "0"},
                              {"REMINDER_LATE_AFTER_SECONDS", "30"},
                              {"REMINDER_MAX_LATENESS_SECONDS", "86400"},
                              {"REMINDER_BUCKET_SECONDS", "10"},
                              {"REMINDER_TICK_MAX_BUCKETS", "7"},
                              {"REMINDER_TICK_MAX_FIRINGS", "9"},
                              {"REMINDER_CLAIM_LEASE_SECONDS", "20"},
                              {"REMINDER_RETENTION_SECONDS", "7200"}});
  CHECK(env.errors().empty());
  CHECK(c.task_events_topic == "tasks");
  CHECK(c.reminders_topic == "due");
  CHECK(c.dead_letter_topic == "dead");
  CHECK(c.tick_binding == "every-10s");
  CHECK(c.lead_time == 0s);
  CHECK(c.late_after == 30s);
  const auto o = reminder::schedule_options(c, "redis", "reminder-east");
  CHECK(o.store == "redis");
  CHECK(o.key_prefix == "reminder-east|reminders|");
  CHECK(o.bucket_width == 10s);
  CHECK(o.max_buckets_per_tick == 7);
  CHECK(o.max_firings_per_tick == 9);
  CHECK(o.claim_lease == 20s);
  CHECK(o.max_lateness == 86400s);
  CHECK(o.finished_ttl == 7200s);
}

TEST_CASE("invalid reminder values are reported naming the variable") {
  const auto [env, c] = read({{"REMINDER_LEAD_TIME_SECONDS", "-5"},
                              {"REMINDER_BUCKET_SECONDS", "0"},
                              {"REMINDER_TICK_MAX_FIRINGS", "lots"},
                              {"REMINDER_CLAIM_LEASE_SECONDS", "1"}});
  std::vector<std::string> names;
  for (const auto& e : env.errors())
    names.push_back(e.subject);
  CHECK(names == std::vector<std::string>{"REMINDER_LEAD_TIME_SECONDS", "REMINDER_BUCKET_SECONDS",
                                          "REMINDER_TICK_MAX_FIRINGS",
                                          "REMINDER_CLAIM_LEASE_SECONDS"});
}

TEST_CASE("late_after beyond the maximum lateness is refused: nothing could ever be late") {
  const auto [env, c] = read({{"REMINDER_LATE_AFTER_SECONDS", "7200"}});
  REQUIRE(env.errors().size() == 1);
  CHECK(env.errors()[0].subject == "REMINDER_LATE_AFTER_SECONDS");
}

TEST_CASE("docs/configuration.md lists exactly the reminder variables, defaults and meanings") {
  const auto r = read({});
  tew::testing::check_generated_docs("reminder variables",
                                     tew::testing::variables_table(r.env.documented()));
}
