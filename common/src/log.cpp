#include "tew/log.hpp"

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "tew/cloud_event.hpp"

namespace tew {

namespace {

// The default logger, carrying what tew::log needs to build its lines, so that the logger
// stays the only global.
class LineLogger final : public spdlog::logger {
 public:
  LineLogger(spdlog::sink_ptr sink, LogOptions options)
      : spdlog::logger("tew", std::move(sink)), options_(std::move(options)) {}
  const LogOptions& options() const { return options_; }

 private:
  LogOptions options_;
};

void append_timestamp(std::string& out) {
  using namespace std::chrono;
  const auto now = time_point_cast<microseconds>(system_clock::now());
  const auto day = floor<days>(now);
  const year_month_day date{day};
  const hh_mm_ss time{now - day};
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
                 static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                 static_cast<unsigned>(date.day()), time.hours().count(), time.minutes().count(),
                 time.seconds().count(), time.subseconds().count());
}

// A JSON string literal; invalid UTF-8 becomes U+FFFD instead of throwing.
std::string json_string(std::string_view s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view json_level(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    default:
      return "critical";
  }
}

std::string_view text_level(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "TRACE";
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::info:
      return "INFO ";
    case spdlog::level::warn:
      return "WARN ";
    case spdlog::level::err:
      return "ERROR";
    default:
      return "CRIT ";
  }
}

std::string json_line(const LogOptions& options, spdlog::level::level_enum level,
                      std::string_view message, const LogFields& fields) {
  std::string line = "{\"ts\":\"";
  append_timestamp(line);
  line += "\",\"level\":\"";
  line += json_level(level);
  line += "\",\"service\":";
  line += json_string(options.service);
  line += ",\"msg\":";
  line += json_string(message);
  for (const auto& [key, value] : fields) {
    line += ',';
    line += json_string(key);
    line += ':';
    line += json_string(value);
  }
  line += '}';
  return line;
}

// Text as is when it needs no escaping (and, for keys and values, has no space or '='),
// else as a quoted, escaped JSON string: one record stays one line whatever it contains.
void append_text(std::string& out, std::string_view s, bool allow_spaces) {
  std::string quoted = json_string(s);
  const bool plain = quoted.size() == s.size() + 2 && !s.empty() &&
                     (allow_spaces || s.find_first_of(" =") == std::string_view::npos);
  if (plain)
    out += s;
  else
    out += quoted;
}

std::string text_line(spdlog::level::level_enum level, std::string_view message,
                      const LogFields& fields) {
  std::string line;
  append_timestamp(line);
  line += ' ';
  line += text_level(level);
  line += ' ';
  append_text(line, message, true);
  for (const auto& [key, value] : fields) {
    line += ' ';
    append_text(line, key, false);
    line += '=';
    append_text(line, value, false);
  }
  return line;
}

const std::string* string_extension(const CloudEvent& event, const char* name) {
  if (!event.extensions.is_object()) return nullptr;
  const auto it = event.extensions.find(name);
  if (it == event.extensions.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

bool is_hex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

// A W3C trace id: 32 hex digits, not all zero.
bool is_trace_id(std::string_view s) {
  return s.size() == 32 && is_hex(s) && s.find_first_not_of('0') != std::string_view::npos;
}

// The trace id in a bare trace id or in a traceparent "<version>-<trace-id>-<parent-id>-
// <flags>" (later versions may append "-..." fields). Dapr's `traceid` extension holds a
// whole traceparent, so both attributes are read this way.
std::optional<std::string> trace_id_in(std::string_view value) {
  if (is_trace_id(value)) return std::string(value);
  if (value.size() < 55 || (value.size() > 55 && value[55] != '-')) return std::nullopt;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  const auto version = value.substr(0, 2), id = value.substr(3, 32);
  if (!is_hex(version) || version == "ff" || !is_trace_id(id)) return std::nullopt;
  if (!is_hex(value.substr(36, 16)) || !is_hex(value.substr(53, 2))) return std::nullopt;
  return std::string(id);
}

std::optional<std::string> trace_id_of(const CloudEvent& event) {
  for (const char* name : {"traceid", "traceparent"})
    if (const auto* value = string_extension(event, name))
      if (auto id = trace_id_in(*value)) return id;
  return std::nullopt;
}

}  // namespace

void init_logging(const LogOptions& options, std::shared_ptr<spdlog::sinks::sink> sink) {
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<LineLogger>(std::move(sink), options);
  logger->set_pattern("%v");
  logger->set_level(options.level);
  spdlog::set_default_logger(std::move(logger));
}

LogFields event_fields(const CloudEvent& event) {
  LogFields fields;
  if (!event.id.empty()) fields.emplace_back("event_id", event.id);
  if (!event.type.empty()) fields.emplace_back("event_type", event.type);
  if (!event.source.empty()) fields.emplace_back("event_source", event.source);
  if (const auto* topic = string_extension(event, "topic")) fields.emplace_back("topic", *topic);
  if (auto trace_id = trace_id_of(event)) fields.emplace_back("trace_id", std::move(*trace_id));
  return fields;
}

bool log_enabled(spdlog::level::level_enum level) {
  return level < spdlog::level::off && spdlog::default_logger_raw()->should_log(level);
}

void log(spdlog::level::level_enum level, std::string_view message, const LogFields& fields) {
  // The default logger is replaced only at start-up (and in tests), never while others log.
  auto* logger = spdlog::default_logger_raw();
  if (level >= spdlog::level::off || !logger->should_log(level)) return;
  static const LogOptions kUninitialised;
  const auto* ours = dynamic_cast<const LineLogger*>(logger);
  const LogOptions& options = ours ? ours->options() : kUninitialised;
  const std::string line = options.format == LogFormat::json
                               ? json_line(options, level, message, fields)
                               : text_line(level, message, fields);
  logger->log(level, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace tew
