#include "recurring/settings.hpp"

#include <doctest/doctest.h>

#include <map>

#include "config_doc.hpp"

namespace {

using Vars = std::map<std::string, std::string, std::less<>>;

tew::Env env_of(Vars vars) {
  return tew::Env([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

}  // namespace

TEST_CASE("the recurring service's variables have their defaults when unset") {
  auto env = env_of({});
  const auto s = tew::recurring::read_settings(env);
  CHECK(env.errors().empty());
  CHECK(s.task_events_topic == "task-events");
  CHECK(s.dead_letter_topic == "recurring-dead-letters");
  CHECK(s.scheduler_binding == "recurring-scheduler");
  CHECK(s.lookahead == std::chrono::hours(24));
}

TEST_CASE("the recurring service's variables are read") {
  auto env = env_of({{"TASK_EVENTS_TOPIC", "tasks"},
                     {"DEAD_LETTER_TOPIC", "dlq"},
                     {"RECURRING_SCHEDULER_BINDING", "series-cron"},
                     {"RECURRING_LOOKAHEAD_SECONDS", "3600"}});
  const auto s = tew::recurring::read_settings(env);
  CHECK(env.errors().empty());
  CHECK(s.task_events_topic == "tasks");
  CHECK(s.dead_letter_topic == "dlq");
  CHECK(s.scheduler_binding == "series-cron");
  CHECK(s.lookahead == std::chrono::seconds(3600));
}

TEST_CASE("an invalid look-ahead is an error naming RECURRING_LOOKAHEAD_SECONDS") {
  for (const auto* value : {"-1", "soon", "31622401", "1.5"}) {
    CAPTURE(value);
    auto env = env_of({{"RECURRING_LOOKAHEAD_SECONDS", value}});
    tew::recurring::read_settings(env);
    REQUIRE(env.errors().size() == 1);
    CHECK(env.errors()[0].subject == "RECURRING_LOOKAHEAD_SECONDS");
  }
  auto env = env_of({{"RECURRING_LOOKAHEAD_SECONDS", "0"}});
  CHECK(tew::recurring::read_settings(env).lookahead == std::chrono::seconds(0));
  CHECK(env.errors().empty());
}

TEST_CASE("docs/configuration.md lists the recurring service's variables") {
  auto env = env_of({});
  tew::recurring::read_settings(env);
  tew::testing::check_generated_docs("recurring variables",
                                     tew::testing::variables_table(env.documented()));
}
