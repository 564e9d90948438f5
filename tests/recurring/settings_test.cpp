#include "recurring/settings.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace {

using Vars = std::map<std::string, std::string, std::less<>>;

tew::Env env_of(Vars vars) {
  return tew::Env([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

// The service's own variables as the markdown table docs/configuration.md must contain.
std::string variables_table() {
  auto env = env_of({});
  tew::recurring::read_settings(env);
  std::string table = "| Variable | Default | Meaning |\n| --- | --- | --- |\n";
  for (const auto& v : env.documented())
    table += fmt::format("| `{}` | `{}` | {} |\n", v.name, v.default_value, v.help);
  return table;
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
  constexpr std::string_view kBegin = "<!-- BEGIN generated: recurring variables -->\n";
  constexpr std::string_view kEnd = "<!-- END generated -->\n";
  const auto path = std::filesystem::path(__FILE__).parent_path() / "../../docs/configuration.md";
  std::stringstream in;
  in << std::ifstream(path).rdbuf();
  std::string doc = in.str();
  const auto begin = doc.find(kBegin);
  REQUIRE_MESSAGE(begin != std::string::npos, path.string(), " lacks ", kBegin);
  const auto table_at = begin + kBegin.size();
  const auto end = doc.find(kEnd, table_at);
  REQUIRE(end != std::string::npos);
  const auto expected = variables_table();
  if (std::getenv("TEW_UPDATE_DOCS") != nullptr) {
    doc.replace(table_at, end - table_at, expected);
    std::ofstream(path) << doc;
    return;
  }
  CHECK_MESSAGE(doc.substr(table_at, end - table_at) == expected,
                "regenerate with: TEW_UPDATE_DOCS=1 ctest --preset dev -R configuration.md");
}
