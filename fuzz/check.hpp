// What every fuzz harness shares: invariant checks that abort (libFuzzer then reports a crash
// and saves the input), strict serialization, and logging that runs but writes nowhere.
#pragma once

#include <spdlog/sinks/null_sink.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tew/log.hpp"

#define TEW_FUZZ_CHECK(condition) \
  ((condition) ? void(0) : ::tew::fuzz::fail(#condition, __FILE__, __LINE__))

namespace tew::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", what, file, line);
  std::abort();
}

// dump() with nlohmann's default (strict) error handler, as a consumer of our output would
// read it: an invalid UTF-8 string inside is a finding, not a silent replacement.
inline std::string dump_strict(const nlohmann::json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "dump() threw: %s\n", e.what());
    fail("dump() does not throw", __FILE__, __LINE__);
  }
}

// Every log line is built (escaping included) at every level, then thrown away.
inline void log_to_nowhere(LogFormat format) {
  init_logging({"fuzz", format, spdlog::level::trace},
               std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace tew::fuzz
