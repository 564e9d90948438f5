#include "tew/env.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <map>

namespace {

using namespace std::chrono_literals;
using tew::Env;

Env env_of(std::map<std::string, std::string, std::less<>> vars) {
  return Env([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

// The one error recorded, checked to name `variable`.
std::string only_error_about(const Env& env, std::string_view variable) {
  REQUIRE(env.errors().size() == 1);
  CHECK(env.errors()[0].subject == variable);
  CHECK(env.errors()[0].kind == tew::ErrorKind::invalid_input);
  return env.errors()[0].message;
}

}  // namespace

TEST_CASE("an unset or empty variable takes the default of every kind of read") {
  auto env = env_of({{"EMPTY", ""}});
  for (const std::string_view name : {"UNSET", "EMPTY"}) {
    CAPTURE(name);
    CHECK(env.text(name, "fallback", "h") == "fallback");
    CHECK(env.secret(name, "h").empty());
    CHECK(env.port(name, 3500, "h") == 3500);
    CHECK(env.integer(name, 7, 1, 10, "h") == 7);
    CHECK(env.millis(name, 250ms, 1ms, 1000ms, "h") == 250ms);
    CHECK(env.seconds(name, 30s, 1s, 60s, "h") == 30s);
    CHECK(env.boolean(name, true, "h"));
    CHECK(env.choice(name, "b", {"a", "b"}, "h") == "b");
    CHECK(env.list(name, "x, y", "h") == std::vector<std::string>{"x", "y"});
  }
  CHECK(env.errors().empty());
}

TEST_CASE("set values are read as their types") {
  auto env = env_of({{"T", "hello world"},
                     {"P", "65535"},
                     {"I", "-3"},
                     {"MS", "1000"},
                     {"S", "0"},
                     {"B", "0"},
                     {"C", "second"}});
  CHECK(env.text("T", "", "h") == "hello world");
  CHECK(env.port("P", 1, "h") == 65535);
  CHECK(env.integer("I", 0, -5, 5, "h") == -3);
  CHECK(env.millis("MS", 1ms, 1ms, 1000ms, "h") == 1000ms);
  CHECK(env.seconds("S", 5s, 0s, 10s, "h") == 0s);
  CHECK_FALSE(env.boolean("B", true, "h"));
  CHECK(env.choice("C", "first", {"first", "second"}, "h") == "second");
  CHECK(env.errors().empty());
}

TEST_CASE("a port must be a number from 1 to 65535") {
  for (const char* bad :
       {"0", "65536", "-1", "http", "80x", " 80", "3500.0", "99999999999999999999"}) {
    CAPTURE(bad);
    auto env = env_of({{"SOME_PORT", bad}});
    CHECK(env.port("SOME_PORT", 3500, "h") == 3500);
    const auto message = only_error_about(env, "SOME_PORT");
    CHECK(message.find("a TCP port from 1 to 65535") != std::string::npos);
    CHECK(message.find(bad) != std::string::npos);
  }
}

TEST_CASE("an integer out of range or not a number is an error stating the range") {
  for (const char* bad : {"0", "11", "ten", "", "5 ", "+5", "1e3", "9223372036854775808"}) {
    CAPTURE(bad);
    auto env = env_of({{"N", bad}});
    CHECK(env.integer("N", 5, 1, 10, "h") == 5);
    if (std::string_view(bad).empty()) {
      CHECK(env.errors().empty());  // empty is unset
      continue;
    }
    CHECK(only_error_about(env, "N") ==
          fmt::format("must be an integer from 1 to 10, got \"{}\"", bad));
  }
}

TEST_CASE("durations are whole numbers of their unit within their range") {
  auto env = env_of({{"A_MS", "1.5"}, {"B_MS", "1001"}, {"C_SECONDS", "-1"}});
  CHECK(env.millis("A_MS", 5ms, 1ms, 1000ms, "h") == 5ms);
  CHECK(env.millis("B_MS", 5ms, 1ms, 1000ms, "h") == 5ms);
  CHECK(env.seconds("C_SECONDS", 5s, 0s, 10s, "h") == 5s);
  REQUIRE(env.errors().size() == 3);
  CHECK(env.errors()[0].describe() ==
        "A_MS: must be a whole number of milliseconds from 1 to 1000, got \"1.5\"");
  CHECK(env.errors()[1].subject == "B_MS");
  CHECK(env.errors()[2].describe() ==
        "C_SECONDS: must be a whole number of seconds from 0 to 10, got \"-1\"");
}

TEST_CASE("a boolean is true, false, 1 or 0, in any case") {
  auto env = env_of({{"A", "TRUE"}, {"B", "False"}, {"C", "1"}, {"D", "yes"}});
  CHECK(env.boolean("A", false, "h"));
  CHECK_FALSE(env.boolean("B", true, "h"));
  CHECK(env.boolean("C", false, "h"));
  CHECK_FALSE(env.boolean("D", false, "h"));
  CHECK(only_error_about(env, "D") == "must be true, false, 1 or 0, got \"yes\"");
}

TEST_CASE("a choice matches in any case and returns the allowed spelling") {
  auto env = env_of({{"LEVEL", "WARN"}, {"OTHER", "verbose"}});
  CHECK(env.choice("LEVEL", "info", {"info", "warn"}, "h") == "warn");
  CHECK(env.choice("OTHER", "info", {"info", "warn"}, "h") == "info");
  CHECK(only_error_about(env, "OTHER") == "must be one of info|warn, got \"verbose\"");
}

TEST_CASE("a list is split at commas, items trimmed, empty items dropped") {
  auto env = env_of({{"L", " a ,b,, c ,"}, {"BLANK", " , "}});
  CHECK(env.list("L", "", "h") == std::vector<std::string>{"a", "b", "c"});
  CHECK(env.list("BLANK", "x", "h").empty());
  CHECK(env.list("UNSET", "", "h").empty());
}

TEST_CASE("a rejected value is shown escaped and cut short") {
  auto env = env_of({{"A", "1\n2"}, {"B", std::string(100, '9')}});
  env.integer("A", 1, 1, 2, "h");
  env.integer("B", 1, 1, 2, "h");
  REQUIRE(env.errors().size() == 2);
  CHECK(env.errors()[0].message.find("got \"1\\n2\"") != std::string::npos);
  CHECK(env.errors()[1].message.find(std::string(64, '9') + "...\"") != std::string::npos);
  CHECK(env.errors()[1].message.find(std::string(65, '9')) == std::string::npos);
}

TEST_CASE("every read is documented once per name with its default and help") {
  auto env = env_of({{"PORT", "1"}});
  env.port("PORT", 8080, "where to listen");
  env.port("PORT", 8080, "read again");
  env.millis("TIMEOUT_MS", 250ms, 1ms, 1000ms, "how long");
  env.boolean("FLAG", false, "on or off");
  env.text("NOTHING", "", "no default");
  env.choice("MODE", "fast", {"fast", "safe"}, "how");
  REQUIRE(env.documented().size() == 5);
  CHECK(env.documented()[0].name == "PORT");
  CHECK(env.documented()[0].default_value == "8080");
  CHECK_FALSE(env.documented()[0].secret);
  CHECK(env.documented()[1].default_value == "250");
  CHECK(env.documented()[2].default_value == "false");
  CHECK(env.documented()[3].default_value.empty());
  CHECK(env.documented()[4].default_value == "fast");
}

TEST_CASE("the documented help ends with the values allowed") {
  auto env = env_of({});
  env.port("PORT", 8080, "where to listen");
  env.millis("TIMEOUT_MS", 250ms, 1ms, 1000ms, "how long");
  env.boolean("FLAG", false, "on or off");
  env.text("NAME", "", "what");
  env.choice("MODE", "fast", {"fast", "safe"}, "how");
  std::vector<std::string> help;
  for (const auto& doc : env.documented())
    help.push_back(doc.help);
  CHECK(help == std::vector<std::string>{"where to listen (1 to 65535)", "how long (1 to 1000)",
                                         "on or off (true or false)", "what", "how (fast|safe)"});
}

TEST_CASE("a secret is documented as secret without a default and never echoed") {
  auto env = env_of({{"TOKEN", "s3cr3t-value"}});
  CHECK(env.secret("TOKEN", "the token") == "s3cr3t-value");
  REQUIRE(env.documented().size() == 1);
  CHECK(env.documented()[0].secret);
  CHECK(env.documented()[0].default_value.empty());
  CHECK(env.errors().empty());
}

TEST_CASE("a variable read as text and later as a secret is documented as a secret") {
  auto env = env_of({});
  env.text("TOKEN", "visible-default", "h");
  env.secret("TOKEN", "h");
  REQUIRE(env.documented().size() == 1);
  CHECK(env.documented()[0].secret);
  CHECK(env.documented()[0].default_value.empty());
}

TEST_CASE("fail records the caller's own error about a variable") {
  auto env = env_of({});
  env.fail("MY_VAR", "must name an existing topic");
  CHECK(env.errors()[0].describe() == "MY_VAR: must name an existing topic");
}

TEST_CASE("a retired variable is an error naming its replacement when set, ignored otherwise") {
  auto env = env_of({{"OLD_VAR", "4"}});
  env.retired("OLD_VAR", "NEW_VAR");
  env.retired("UNSET_VAR", "OTHER_VAR");
  REQUIRE(env.errors().size() == 1);
  CHECK(env.errors()[0].describe() == "OLD_VAR: is no longer read; use NEW_VAR instead");
  CHECK(env.documented().empty());  // not in --help or the tables
}

TEST_CASE("the default constructor reads the process environment") {
  REQUIRE(::setenv("TEW_ENV_TEST_VARIABLE", "from the process", 1) == 0);
  Env env;
  CHECK(env.text("TEW_ENV_TEST_VARIABLE", "", "h") == "from the process");
  ::unsetenv("TEW_ENV_TEST_VARIABLE");
  CHECK(env.text("TEW_ENV_TEST_VARIABLE", "gone", "h") == "gone");
}
