#include "config_docs.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tew::testing {

std::string variables_table(const std::vector<EnvVarDoc>& vars,
                            const std::map<std::string, std::string>& defaults) {
  std::string table = "| Variable | Default | Meaning |\n| --- | --- | --- |\n";
  for (const auto& v : vars) {
    std::string def = v.default_value.empty() ? "unset" : "`" + v.default_value + "`";
    if (const auto it = defaults.find(v.name); it != defaults.end()) def = it->second;
    if (v.secret) def = "unset (secret)";
    std::string help;
    for (const char c : v.help) {
      if (c == '|' || c == '<') help += '\\';  // a table cell; an HTML tag
      help += c;
    }
    table += fmt::format("| `{}` | {} | {} |\n", v.name, def, help);
  }
  return table;
}

void check_generated_section(std::string_view name, const std::string& table) {
  const std::string begin_marker = fmt::format("<!-- BEGIN generated: {} -->\n", name);
  constexpr std::string_view kEnd = "<!-- END generated -->\n";
  const auto path = std::filesystem::path(__FILE__).parent_path() / "../../docs/configuration.md";
  std::stringstream in;
  in << std::ifstream(path).rdbuf();
  std::string doc = in.str();
  const auto begin = doc.find(begin_marker);
  REQUIRE_MESSAGE(begin != std::string::npos, path.string(), " lacks ", begin_marker);
  const auto table_at = begin + begin_marker.size();
  const auto end = doc.find(kEnd, table_at);
  REQUIRE_MESSAGE(end != std::string::npos, path.string(), " lacks the end of ", name);
  if (std::getenv("TEW_UPDATE_DOCS") != nullptr) {
    doc.replace(table_at, end - table_at, table);
    std::ofstream(path) << doc;
    return;
  }
  CHECK_MESSAGE(doc.substr(table_at, end - table_at) == table,
                "regenerate with: TEW_UPDATE_DOCS=1 ctest --preset dev -R configuration.md");
}

}  // namespace tew::testing
