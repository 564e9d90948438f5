// Configuration from environment variables. Every read names its variable, default and
// meaning, so the same code that reads the configuration also documents it (`--help`), and
// every invalid value is collected as an error naming the variable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tew/error.hpp"

namespace tew {

struct EnvVarDoc {
  std::string name;
  std::string default_value;  // as text; empty: no default (unset)
  std::string help;
  bool secret = false;  // never echoed back (tokens)
};

class Env {
 public:
  using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

  // Reads the process environment.
  Env();
  explicit Env(Lookup lookup);

  // An unset or empty variable takes the default. An invalid value is recorded in errors()
  // and the default returned, so every invalid variable is reported at once. Names of
  // choices and booleans match without regard to ASCII case.
  std::string text(std::string_view name, std::string_view def, std::string_view help);
  std::string secret(std::string_view name, std::string_view help);  // default empty
  std::uint16_t port(std::string_view name, std::uint16_t def, std::string_view help);
  std::int64_t integer(std::string_view name, std::int64_t def, std::int64_t min, std::int64_t max,
                       std::string_view help);
  std::chrono::milliseconds millis(std::string_view name, std::chrono::milliseconds def,
                                   std::chrono::milliseconds min, std::chrono::milliseconds max,
                                   std::string_view help);
  std::chrono::seconds seconds(std::string_view name, std::chrono::seconds def,
                               std::chrono::seconds min, std::chrono::seconds max,
                               std::string_view help);
  bool boolean(std::string_view name, bool def, std::string_view help);  // true|false|1|0
  std::string choice(std::string_view name, std::string_view def,
                     std::initializer_list<std::string_view> allowed, std::string_view help);
  // Comma-separated list, items trimmed, empty items dropped.
  std::vector<std::string> list(std::string_view name, std::string_view def, std::string_view help);

  // Lets a caller add its own validation error for a variable it read.
  void fail(std::string_view name, std::string message);
  // A variable that is no longer read: set (non-empty), it is an error naming its replacement,
  // so that a deployment still setting it learns at startup instead of being ignored.
  void retired(std::string_view name, std::string_view replacement);

  const std::vector<Error>& errors() const { return errors_; }  // subject = variable name
  const std::vector<EnvVarDoc>& documented() const { return docs_; }

 private:
  // Documents the variable (once per name) and returns its value unless unset or empty.
  std::optional<std::string> raw(std::string_view name, std::string default_text,
                                 std::string_view help, bool secret = false);
  // An integer in [min, max]; `what` names it in the error, e.g. "a TCP port".
  std::int64_t number(std::string_view name, std::int64_t def, std::int64_t min, std::int64_t max,
                      std::string_view what, std::string_view help);
  Lookup lookup_;
  std::vector<Error> errors_;
  std::vector<EnvVarDoc> docs_;
};

}  // namespace tew
