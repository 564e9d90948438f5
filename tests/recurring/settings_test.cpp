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
}

TEST_CASE("the recurring service's variables are read") {
  auto env = env_of({{"TASK_EVENTS_TOPIC", "tasks"}, {"DEAD_LETTER_TOPIC", "dlq"}});
  const auto s = tew::recurring::read_settings(env);
  CHECK(s.task_events_topic == "tasks");
  CHECK(s.dead_letter_topic == "dlq");
}

TEST_CASE("docs/configuration.md lists the recurring service's variables") {
  auto env = env_of({});
  tew::recurring::read_settings(env);
  tew::testing::check_generated_docs("recurring variables",
                                     tew::testing::variables_table(env.documented()));
}
