#include "tew/log.hpp"

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "captured_log.hpp"
#include "tew/cloud_event.hpp"
#include "tew/config.hpp"

namespace {

using nlohmann::ordered_json;
using tew::LogFormat;
using tew::LogOptions;
using tew::testing::CapturedLog;

LogOptions json_options(spdlog::level::level_enum level = spdlog::level::info) {
  return {"notification", LogFormat::json, level};
}

LogOptions text_options(spdlog::level::level_enum level = spdlog::level::info) {
  return {"notification", LogFormat::text, level};
}

const std::regex kTimestamp(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)");

std::vector<std::string> keys_of(const ordered_json& line) {
  std::vector<std::string> keys;
  for (const auto& item : line.items())
    keys.push_back(item.key());
  return keys;
}

tew::CloudEvent sample_event() {
  tew::CloudEvent event;
  event.id = "evt-1";
  event.source = "task-service";
  event.type = "com.example.task.created";
  event.extensions = {
      {"topic", "tasks"},
      {"pubsubname", "pubsub"},
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
  };
  return event;
}

}  // namespace

TEST_CASE("a JSON line holds ts, level, service, msg, then the fields in the order given") {
  CapturedLog log(json_options());
  tew::log_info("event handled", {{"zeta", "1"}, {"alpha", "two words"}});
  const auto line = ordered_json::parse(log.only_line());
  CHECK(keys_of(line) ==
        std::vector<std::string>{"ts", "level", "service", "msg", "zeta", "alpha"});
  CHECK(std::regex_match(line["ts"].get<std::string>(), kTimestamp));
  CHECK(line["level"] == "info");
  CHECK(line["service"] == "notification");
  CHECK(line["msg"] == "event handled");
  CHECK(line["alpha"] == "two words");
}

TEST_CASE("JSON lines name every level the way LOG_LEVEL does") {
  CapturedLog log(json_options(spdlog::level::trace));
  tew::log(spdlog::level::trace, "t");
  tew::log_debug("d");
  tew::log_info("i");
  tew::log_warn("w");
  tew::log_error("e");
  std::vector<std::string> levels;
  for (const auto& line : log.lines())
    levels.push_back(ordered_json::parse(line)["level"]);
  CHECK(levels == std::vector<std::string>{"trace", "debug", "info", "warn", "error"});
}

TEST_CASE("quotes, backslashes, newlines and control characters are escaped in JSON lines") {
  CapturedLog log(json_options());
  const std::string nasty = "say \"hi\"\\\n\t\x01 end";
  tew::log_warn(nasty, {{nasty, nasty}});
  const auto raw = log.only_line();
  const auto line = ordered_json::parse(raw);
  CHECK(line["msg"] == nasty);
  CHECK(line[nasty] == nasty);
  CHECK(raw.find("\\u0001") != std::string::npos);
}

TEST_CASE("invalid UTF-8 in a message or a field is replaced, not thrown") {
  CapturedLog log(json_options());
  CHECK_NOTHROW(tew::log_info("bad \xff byte", {{"key\xc3", "value \xe2\x82"}}));
  const auto line = ordered_json::parse(log.only_line());
  CHECK(line["msg"] == "bad \xef\xbf\xbd byte");
  CHECK(line["key\xef\xbf\xbd"] == "value \xef\xbf\xbd");
}

TEST_CASE("a text line is timestamp, padded level, message, then key=value pairs") {
  CapturedLog log(text_options());
  tew::log_info("event handled", {{"key", "value"}, {"key2", "value with spaces"}});
  tew::log_error("failed");
  const auto lines = log.lines();
  REQUIRE(lines.size() == 2);
  CHECK(std::regex_match(lines[0],
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z INFO  event handled )"
                                    R"(key=value key2="value with spaces")")));
  CHECK(std::regex_match(lines[1], std::regex(R"(\S+Z ERROR failed)")));
}

TEST_CASE("text lines quote empty values, '=' and escape newlines so a record stays one line") {
  CapturedLog log(text_options());
  tew::log_warn("two\nlines", {{"empty", ""}, {"eq", "a=b"}, {"quote", "say \"x\""}});
  const auto line = log.only_line();
  const auto message = line.substr(line.find(' ') + 1);
  CHECK(message == R"(WARN  "two\nlines" empty="" eq="a=b" quote="say \"x\"")");
}

TEST_CASE("lines below the configured level are not written") {
  CapturedLog log(json_options(spdlog::level::warn));
  tew::log_debug("debug");
  tew::log_info("info");
  tew::log_warn("warn");
  tew::log_error("error");
  const auto lines = log.lines();
  REQUIRE(lines.size() == 2);
  CHECK(ordered_json::parse(lines[0])["msg"] == "warn");
  CHECK(ordered_json::parse(lines[1])["msg"] == "error");
}

TEST_CASE("log_enabled says whether a line at a level would be written") {
  CapturedLog log(json_options(spdlog::level::warn));
  CHECK_FALSE(tew::log_enabled(spdlog::level::debug));
  CHECK_FALSE(tew::log_enabled(spdlog::level::info));
  CHECK(tew::log_enabled(spdlog::level::warn));
  CHECK(tew::log_enabled(spdlog::level::err));
  CHECK_FALSE(tew::log_enabled(spdlog::level::off));
}

TEST_CASE("event_fields gives id, type, source, topic and the trace id of the traceparent") {
  const auto fields = tew::event_fields(sample_event());
  CHECK(fields == tew::LogFields{{"event_id", "evt-1"},
                                 {"event_type", "com.example.task.created"},
                                 {"event_source", "task-service"},
                                 {"topic", "tasks"},
                                 {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}});
}

TEST_CASE("event_fields prefers traceid, which Dapr fills with a whole traceparent") {
  auto event = sample_event();
  event.extensions["traceid"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  CHECK(tew::event_fields(event).back() ==
        std::pair<std::string, std::string>{"trace_id", "0af7651916cd43dd8448eb211c80319c"});
  event.extensions["traceid"] = "0af7651916cd43dd8448eb211c80319d";
  CHECK(tew::event_fields(event).back().second == "0af7651916cd43dd8448eb211c80319d");
}

TEST_CASE("event_fields leaves out a malformed trace context and non-string extensions") {
  auto event = sample_event();
  event.extensions["topic"] = 42;
  for (const char* bad : {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", ""}) {
    CAPTURE(bad);
    event.extensions["traceparent"] = bad;
    event.extensions["traceid"] = bad;
    CHECK(tew::event_fields(event) == tew::LogFields{{"event_id", "evt-1"},
                                                     {"event_type", "com.example.task.created"},
                                                     {"event_source", "task-service"}});
  }
}

TEST_CASE("a traceparent of a later version with more fields still yields its trace id") {
  auto event = sample_event();
  event.extensions["traceparent"] =
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future";
  CHECK(tew::event_fields(event).back().second == "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_CASE("a line about an event carries its fields and nothing the caller did not give") {
  tew::Env env([](std::string_view name) -> std::optional<std::string> {
    if (name == "DAPR_API_TOKEN" || name == "APP_API_TOKEN") return "tok-do-not-log";
    return std::nullopt;
  });
  const auto config = tew::read_common_config(env, "notification", 6001);
  CapturedLog log(config.log);
  auto fields = tew::event_fields(sample_event());
  fields.emplace_back("dapr-api-token", "[redacted]");
  tew::log_info("event handled", fields);

  const auto raw = log.only_line();
  const auto line = ordered_json::parse(raw);
  CHECK(keys_of(line) == std::vector<std::string>{"ts", "level", "service", "msg", "event_id",
                                                  "event_type", "event_source", "topic", "trace_id",
                                                  "dapr-api-token"});
  CHECK(line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(line["dapr-api-token"] == "[redacted]");
  CHECK(raw.find("tok-do-not-log") == std::string::npos);
  CHECK(raw.find("pubsubname") == std::string::npos);
}
