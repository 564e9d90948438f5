// Logging: spdlog underneath, one line per record, JSON lines by default (text for local
// use). Every line about an event carries its id, type, topic and trace id.
#pragma once

#include <spdlog/common.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spdlog::sinks {
class sink;
}

namespace tew {

struct CloudEvent;

enum class LogFormat { json, text };

struct LogOptions {
  std::string service;  // written as "service" on every line
  LogFormat format = LogFormat::json;
  spdlog::level::level_enum level = spdlog::level::info;
};

// Replaces the default logger. `sink` defaults to stderr; tests pass a capturing sink.
void init_logging(const LogOptions& options, std::shared_ptr<spdlog::sinks::sink> sink = nullptr);

using LogFields = std::vector<std::pair<std::string, std::string>>;

// event_id, event_type, event_source, topic, trace_id (from traceparent/traceid) when present.
LogFields event_fields(const CloudEvent& event);

void log(spdlog::level::level_enum level, std::string_view message, const LogFields& fields = {});
// Whether a record at `level` would be written: per-event lines below it are not worth their
// fields (a few strings each, on every event) when nobody reads them.
bool log_enabled(spdlog::level::level_enum level);
inline void log_debug(std::string_view m, const LogFields& f = {}) {
  log(spdlog::level::debug, m, f);
}
inline void log_info(std::string_view m, const LogFields& f = {}) {
  log(spdlog::level::info, m, f);
}
inline void log_warn(std::string_view m, const LogFields& f = {}) {
  log(spdlog::level::warn, m, f);
}
inline void log_error(std::string_view m, const LogFields& f = {}) {
  log(spdlog::level::err, m, f);
}

}  // namespace tew
