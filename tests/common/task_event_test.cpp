#include "tew/task_event.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "tew/cloud_event.hpp"
#include "tew/rfc3339.hpp"

namespace {

using nlohmann::json;
using tew::parse_reminder_due_event;
using tew::parse_task;
using tew::parse_task_event;
using tew::TaskEventType;
using tew::testing::read_fixture;

constexpr std::string_view kTaskId = "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42";

tew::Timestamp at(std::string_view text) {
  return tew::parse_rfc3339(text).value();
}

// The `data` of a fixture, as a handler would get it.
json payload_of(std::string_view fixture) {
  return tew::parse_structured_event(read_fixture("events/" + std::string(fixture)))
      .value()
      .payload_json()
      .value();
}

json minimal_task_event() {
  return json{{"event_type", "task.created"},
              {"task_id", "t-1"},
              {"user_id", "u-1"},
              {"timestamp", "2026-03-02T09:14:05Z"},
              {"task_data", {{"id", "t-1"}}}};
}

json minimal_reminder() {
  return json{{"event_type", "reminder.due"},
              {"task_id", "t-1"},
              {"user_id", "u-1"},
              {"timestamp", "2026-03-03T16:30:00.412Z"},
              {"remind_at", "2026-03-03T16:30:00Z"}};
}

template <class T>
std::string subject_of_failure(const tew::Result<T>& result) {
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().kind == tew::ErrorKind::invalid_input);
  return result.error().subject;
}

}  // namespace

TEST_CASE("task event types convert to and from their names") {
  for (const auto type : {TaskEventType::created, TaskEventType::updated, TaskEventType::completed,
                          TaskEventType::deleted}) {
    CHECK(tew::task_event_type_from(tew::to_string(type)) == type);
  }
  CHECK(tew::to_string(TaskEventType::completed) == "task.completed");
  CHECK_FALSE(tew::task_event_type_from("reminder.due").has_value());
  CHECK_FALSE(tew::task_event_type_from("TASK.CREATED").has_value());
  CHECK_FALSE(tew::task_event_type_from("").has_value());
}

TEST_CASE("the task.created fixture parses into typed fields") {
  const auto event = parse_task_event(payload_of("task_created.json")).value();
  CHECK(event.schema_version == 1);
  CHECK(event.event_type == TaskEventType::created);
  CHECK(event.task_id == kTaskId);
  CHECK(event.user_id == "u-7f3c2a91");
  CHECK(event.timestamp == at("2026-03-02T09:14:05.123456Z"));
  CHECK(event.metadata.at("origin") == "web");
  const auto& task = event.task;
  CHECK(task.id == kTaskId);
  CHECK(task.title == "Buy milk & eggs");
  CHECK(task.description == "2% milk <organic>");
  CHECK_FALSE(task.is_complete);
  CHECK(task.due_date == at("2026-03-03T17:00:00Z"));
  CHECK(task.remind_at == at("2026-03-03T16:30:00Z"));
  CHECK_FALSE(task.recurrence.has_value());
  CHECK(task.timezone == "Europe/Berlin");
  CHECK_FALSE(task.recurrence_mode.has_value());
  CHECK(task.updated_at == at("2026-03-02T09:14:05.120Z"));
  CHECK(task.version == 1);
}

TEST_CASE("the updated, completed and deleted fixtures parse") {
  const auto updated = parse_task_event(payload_of("task_updated.json")).value();
  CHECK(updated.event_type == TaskEventType::updated);
  CHECK(updated.task.description.empty());  // null in the payload
  CHECK(updated.task.due_date == at("2026-03-04T17:00:00Z"));
  CHECK(updated.task.version == 2);

  const auto completed = parse_task_event(payload_of("task_completed.json")).value();
  CHECK(completed.event_type == TaskEventType::completed);
  CHECK(completed.schema_version == 1);  // absent in the payload
  CHECK(completed.task.is_complete);
  CHECK(completed.task.recurrence == "weekly");
  CHECK(completed.task.recurrence_mode == "completion");

  const auto deleted = parse_task_event(payload_of("task_deleted.json")).value();
  CHECK(deleted.event_type == TaskEventType::deleted);
  CHECK(deleted.metadata == json::object());  // absent in the payload
  CHECK(deleted.task.description.empty());
  CHECK_FALSE(deleted.task.due_date.has_value());
}

TEST_CASE("the raw-payload fixture decodes to the same task event as the structured one") {
  const auto raw =
      tew::parse_structured_event(read_fixture("events/task_created_raw_payload.json"));
  REQUIRE(raw.has_value());
  REQUIRE(raw->data_bytes.has_value());
  const auto event = parse_task_event(raw->payload_json().value());
  REQUIRE(event.has_value());
  CHECK(event->task_id == kTaskId);
  const auto structured = parse_task_event(payload_of("task_created.json")).value();
  CHECK(event->task.raw == structured.task.raw);
  CHECK(*event == structured);
}

TEST_CASE("a payload sent as a JSON string parses to the same task event") {
  CHECK(parse_task_event(payload_of("task_created_data_as_json_string.json")).value() ==
        parse_task_event(payload_of("task_created.json")).value());
}

TEST_CASE("every bulk entry's payload is a valid task event") {
  const auto bulk = json::parse(read_fixture("events/bulk_task_events.json"));
  for (const auto& entry : bulk.at("entries")) {
    const auto event = tew::parse_structured_event(entry.at("event")).value();
    CHECK(parse_task_event(event.payload_json().value()).has_value());
  }
}

TEST_CASE("each invalid task fixture is rejected naming the field at fault") {
  const std::pair<const char*, const char*> cases[] = {
      {"invalid_task_missing_task_id.json", "task_id"},
      {"invalid_task_data_not_object.json", "data"},
      {"invalid_task_future_schema_version.json", "schema_version"},
      {"invalid_task_id_mismatch.json", "task_data.id"},
      {"invalid_task_bad_due_date.json", "task_data.due_date"},
      {"invalid_task_version_string.json", "task_data.version"},
  };
  for (const auto& [name, subject] : cases) {
    CAPTURE(name);
    CHECK(subject_of_failure(parse_task_event(payload_of(name))) == subject);
  }
}

TEST_CASE("a task event that is not an object is rejected naming data") {
  for (const json& data : {json::array({1}), json("task.created"), json(nullptr), json(1)}) {
    CAPTURE(data.dump());
    CHECK(subject_of_failure(parse_task_event(data)) == "data");
    CHECK(subject_of_failure(parse_reminder_due_event(data)) == "data");
  }
}

TEST_CASE("each missing required field is rejected naming that field") {
  for (const auto* field : {"event_type", "task_id", "user_id", "timestamp", "task_data"}) {
    CAPTURE(field);
    auto data = minimal_task_event();
    data.erase(field);
    const auto result = parse_task_event(data);
    CHECK(subject_of_failure(result) == field);
    CHECK(result.error().message == "is required");
    data[field] = nullptr;
    CHECK(subject_of_failure(parse_task_event(data)) == field);
  }
  auto data = minimal_task_event();
  data["task_data"].erase("id");
  CHECK(parse_task_event(data).error().describe() == "task_data.id: is required");
}

TEST_CASE("required identifiers must be non-empty strings") {
  for (const auto* field : {"task_id", "user_id"}) {
    CAPTURE(field);
    auto data = minimal_task_event();
    data[field] = "";
    CHECK(parse_task_event(data).error().message == "must not be empty");
    data[field] = 42;
    CHECK(parse_task_event(data).error().message == "must be a string");
  }
  auto data = minimal_task_event();
  data["task_data"]["id"] = "";
  CHECK(subject_of_failure(parse_task_event(data)) == "task_data.id");
}

TEST_CASE("fields of the wrong type are rejected naming the field") {
  const std::pair<const char*, json> envelope_cases[] = {
      {"event_type", 1},           {"timestamp", 1700000000},
      {"task_data", "t-1"},        {"task_data", json::array()},
      {"metadata", json::array()}, {"metadata", "origin=web"},
  };
  for (const auto& [field, value] : envelope_cases) {
    CAPTURE(field);
    CAPTURE(value.dump());
    auto data = minimal_task_event();
    data[field] = value;
    CHECK(subject_of_failure(parse_task_event(data)) == field);
  }
  const std::pair<const char*, json> task_cases[] = {
      {"title", 1},
      {"description", json::object()},
      {"is_complete", "true"},
      {"is_complete", 1},
      {"due_date", "tomorrow"},
      {"due_date", 1700000000},
      {"remind_at", "2026-02-30T10:00:00Z"},
      {"updated_at", true},
      {"recurrence", json::array({"weekly"})},
      {"timezone", 1},
      {"recurrence_mode", false},
      {"version", "3"},
      {"version", 1.5},
      {"version", 3.0},
      {"version", true},
  };
  for (const auto& [field, value] : task_cases) {
    CAPTURE(field);
    CAPTURE(value.dump());
    auto data = minimal_task_event();
    data["task_data"][field] = value;
    CHECK(subject_of_failure(parse_task_event(data)) == "task_data." + std::string(field));
  }
}

TEST_CASE("huge numbers for integer fields are rejected") {
  auto data = minimal_task_event();
  data["task_data"]["version"] = std::numeric_limits<std::uint64_t>::max();
  CHECK(parse_task_event(data).error().describe() == "task_data.version: is out of range");
  data["task_data"]["version"] = 1e300;
  CHECK(subject_of_failure(parse_task_event(data)) == "task_data.version");
  data["task_data"]["version"] = std::numeric_limits<std::int64_t>::max();
  CHECK(parse_task_event(data)->task.version == std::numeric_limits<std::int64_t>::max());

  const auto text = tew::parse_structured_event(
      R"({"specversion":"1.0","id":"x","source":"s","type":"t","data":{"schema_version":99999999999999999999999}})");
  const auto payload = text.value().payload_json().value();
  CHECK(subject_of_failure(parse_task_event(payload)) == "schema_version");
}

TEST_CASE("numbers at and past the int64 range, and negative zero, as a producer writes them") {
  // Each as JSON text inside a whole event body: what parses, and what the field then says.
  const auto version_in = [](std::string_view number) {
    const std::string body =
        R"({"specversion":"1.0","id":"x","source":"s","type":"t","data":{"event_type":)"
        R"("task.created","task_id":"t-1","user_id":"u-1","timestamp":"2026-03-02T09:14:05Z",)"
        R"("task_data":{"id":"t-1","version":)" +
        std::string(number) + "}}}";
    return tew::parse_structured_event(body);
  };
  const auto version_of = [&](std::string_view number) {
    return parse_task_event(version_in(number).value().payload_json().value());
  };
  CHECK(version_of("9223372036854775807")->task.version ==
        std::numeric_limits<std::int64_t>::max());
  CHECK(version_of("-9223372036854775808")->task.version ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(version_of("-0")->task.version == 0);
  CHECK(version_of("0")->task.version == 0);
  CHECK(version_of("9223372036854775808").error().describe() ==
        "task_data.version: is out of range");
  CHECK(version_of("18446744073709551616")
            .error()
            .describe()
            .starts_with("task_data.version: must be an integer"));
  CHECK(version_of("-9223372036854775809")
            .error()
            .describe()
            .starts_with("task_data.version: must be an integer"));
  for (const auto* fraction : {"-0.0", "1.5", "1e2", "1E-7"}) {
    CAPTURE(fraction);
    CHECK(subject_of_failure(version_of(fraction)) == "task_data.version");
  }
  // Past what a double holds, the body itself does not parse.
  for (const std::string& overflow :
       {std::string("1e400"), std::string("-1e400"), "1" + std::string(400, '0') + ".0"}) {
    CAPTURE(overflow);
    const auto event = version_in(overflow);
    CHECK(subject_of_failure(event) == "body");
    CHECK(event.error().message == "invalid JSON: number out of range");
  }
  CHECK(subject_of_failure(parse_task_event(json::parse(
            R"({"schema_version":-0,"event_type":"task.created","task_id":"t","user_id":"u",)"
            R"("timestamp":"2026-03-02T09:14:05Z","task_data":{"id":"t"}})"))) == "schema_version");
}

TEST_CASE("schema_version: absent means 1, newer than this build or not an integer is rejected") {
  auto data = minimal_task_event();
  CHECK(parse_task_event(data)->schema_version == 1);
  data["schema_version"] = 1;
  CHECK(parse_task_event(data)->schema_version == 1);
  data["schema_version"] = tew::kTaskEventSchemaVersion + 1;
  const auto newer = parse_task_event(data);
  CHECK(subject_of_failure(newer) == "schema_version");
  CHECK(newer.error().message.find("newer") != std::string::npos);
  for (const json& bad : {json(0), json(-1), json("1"), json(1.0)}) {
    CAPTURE(bad.dump());
    data["schema_version"] = bad;
    CHECK(subject_of_failure(parse_task_event(data)) == "schema_version");
  }
}

TEST_CASE("a newer schema_version is reported before any other problem") {
  json data = json::object();
  data["schema_version"] = 2;
  CHECK(subject_of_failure(parse_task_event(data)) == "schema_version");
}

TEST_CASE("an unknown event_type is rejected naming event_type") {
  auto data = minimal_task_event();
  data["event_type"] = "task.archived";
  const auto result = parse_task_event(data);
  CHECK(subject_of_failure(result) == "event_type");
  CHECK(result.error().message.find("\"task.archived\"") != std::string::npos);
  data["event_type"] = "reminder.due";
  CHECK(subject_of_failure(parse_task_event(data)) == "event_type");
}

TEST_CASE("task_id and task_data.id that differ are rejected naming task_data.id") {
  auto data = minimal_task_event();
  data["task_data"]["id"] = "t-2";
  const auto result = parse_task_event(data);
  CHECK(subject_of_failure(result) == "task_data.id");
  CHECK(result.error().message.find("\"t-2\"") != std::string::npos);
}

TEST_CASE("unknown fields are ignored and kept in raw") {
  auto data = minimal_task_event();
  data["task_data"]["priority"] = "high";
  data["task_data"]["tags"] = json::array({"a", "b"});
  data["unknown_envelope_field"] = 1;
  const auto event = parse_task_event(data).value();
  CHECK(event.task.raw.at("priority") == "high");
  CHECK(event.task.raw.at("tags") == json::array({"a", "b"}));
  CHECK(tew::to_json(event.task).at("priority") == "high");
}

TEST_CASE("null optional task fields count as absent and stay null in raw") {
  auto data = minimal_task_event();
  for (const auto* field : {"title", "description", "is_complete", "due_date", "remind_at",
                            "recurrence", "timezone", "recurrence_mode", "updated_at", "version"}) {
    data["task_data"][field] = nullptr;
  }
  data["metadata"] = nullptr;
  const auto event = parse_task_event(data).value();
  CHECK(event.task.title.empty());
  CHECK_FALSE(event.task.is_complete);
  CHECK_FALSE(event.task.due_date.has_value());
  CHECK_FALSE(event.task.version.has_value());
  CHECK(event.metadata == json::object());
  CHECK(event.task.raw.at("due_date").is_null());
  CHECK(event.task.raw.at("version").is_null());
}

TEST_CASE("raw holds the typed fields in canonical form") {
  json task_data = {{"id", "t-1"},
                    {"due_date", "2026-03-04T18:00:00+01:00"},
                    {"remind_at", "2026-03-04 17:30:00.5Z"}};
  const auto task = parse_task(task_data).value();
  CHECK(task.raw.at("due_date") == "2026-03-04T17:00:00Z");
  CHECK(task.raw.at("remind_at") == "2026-03-04T17:30:00.500000Z");
  CHECK(task.raw.at("title") == "");
  CHECK(task.raw.at("is_complete") == false);
  CHECK(tew::to_json(task) == task.raw);
}

TEST_CASE("raw is what to_json writes, whatever form the typed fields came in") {
  // parse_task only rewrites what is not canonical yet; to_json rewrites every typed field, so
  // any field parse_task missed would differ here.
  const std::vector<json> times = {"2026-03-04T17:00:00Z",
                                   "2026-03-04T18:00:00+01:00",
                                   "2026-03-04t17:00:00z",
                                   "2026-03-04 17:00:00.250Z",
                                   "2026-03-04T17:00:00.000000Z",
                                   "2026-03-04T17:00:00-00:00",
                                   nullptr};
  const std::vector<json> texts = {"a title", "", nullptr};
  const std::vector<json> flags = {true, false, nullptr};
  const std::vector<json> versions = {3, -3, 0, nullptr};
  int cases = 0;
  for (const auto& time : times) {
    for (const auto& text : texts) {
      for (const auto& flag : flags) {
        for (const auto& version : versions) {
          json task_data = {{"id", "t-1"}, {"extra", {{"k", "v"}}}};
          task_data["due_date"] = time;
          task_data["remind_at"] = time;
          task_data["updated_at"] = time;
          task_data["title"] = text;
          task_data["description"] = text;
          task_data["recurrence"] = text;
          task_data["is_complete"] = flag;
          task_data["version"] = version;
          CAPTURE(task_data.dump());
          auto task = parse_task(task_data);
          REQUIRE(task.has_value());
          CHECK(tew::to_json(*task).dump() == task->raw.dump());
          CHECK(task->raw.at("extra") == json{{"k", "v"}});
          if (time.is_string()) {
            CHECK(task->raw.at("due_date") == tew::format_rfc3339(*task->due_date));
          } else {
            CHECK(task->raw.at("due_date").is_null());
          }
          CHECK(task->raw.at("title").is_string());
          CHECK(task->raw.at("is_complete").is_boolean());
          ++cases;
        }
      }
    }
  }
  CHECK(cases == 252);
  // Absent members: the defaults appear, the optional fields stay absent.
  const auto bare = parse_task(json{{"id", "t-2"}}).value();
  CHECK(bare.raw ==
        json{{"id", "t-2"}, {"title", ""}, {"description", ""}, {"is_complete", false}});
  CHECK(tew::to_json(bare) == bare.raw);
}

TEST_CASE("parse_task on its own names fields under task_data") {
  CHECK(subject_of_failure(parse_task(json::array())) == "task_data");
  CHECK(subject_of_failure(parse_task(json::object())) == "task_data.id");
  CHECK(subject_of_failure(parse_task(json{{"id", "t"}, {"version", -1.5}})) ==
        "task_data.version");
}

TEST_CASE("to_json of a task writes typed fields over raw and nulls what was unset") {
  auto task =
      parse_task(json{{"id", "t-1"}, {"due_date", "2026-03-04T17:00:00Z"}, {"x", 1}}).value();
  task.due_date.reset();
  task.title = "renamed";
  task.version = 7;
  const auto out = tew::to_json(task);
  CHECK(out.at("due_date").is_null());
  CHECK(out.at("title") == "renamed");
  CHECK(out.at("version") == 7);
  CHECK(out.at("x") == 1);
  CHECK_FALSE(out.contains("remind_at"));
}

TEST_CASE("task events round-trip through to_json") {
  for (const auto* name : {"task_created.json", "task_updated.json", "task_completed.json",
                           "task_deleted.json", "task_created_raw_payload.json"}) {
    CAPTURE(name);
    const auto event = parse_task_event(payload_of(name)).value();
    const auto out = tew::to_json(event);
    const auto again = parse_task_event(out);
    REQUIRE(again.has_value());
    CHECK(*again == event);
    CHECK(tew::to_json(*again) == out);
  }
}

TEST_CASE("a task event built in code survives to_json and back") {
  tew::TaskEvent event;
  event.event_type = TaskEventType::completed;
  event.task_id = "t-9";
  event.user_id = "u-9";
  event.timestamp = at("2026-03-03T16:45:00.25Z");
  event.task.id = "t-9";
  event.task.is_complete = true;
  event.task.recurrence = "FREQ=WEEKLY;BYDAY=MO";
  event.task.version = 4;
  event.metadata = json{{"origin", "test"}};
  const auto out = tew::to_json(event);
  CHECK(out.at("event_type") == "task.completed");
  CHECK(out.at("timestamp") == "2026-03-03T16:45:00.250000Z");
  const auto again = parse_task_event(out).value();
  CHECK(tew::to_json(again) == out);
  CHECK(again.task.recurrence == event.task.recurrence);
  CHECK(again.timestamp == event.timestamp);
}

TEST_CASE("lvalue and rvalue forms parse to the same values") {
  const auto data = payload_of("task_created.json");
  CHECK(parse_task_event(data).value() == parse_task_event(json(data)).value());
  CHECK(parse_task(data.at("task_data")).value() == parse_task(json(data.at("task_data"))).value());
  const auto reminder = payload_of("reminder_due.json");
  CHECK(parse_reminder_due_event(reminder).value() ==
        parse_reminder_due_event(json(reminder)).value());
}

TEST_CASE("the reminder.due fixture parses into typed fields") {
  const auto event = parse_reminder_due_event(payload_of("reminder_due.json")).value();
  CHECK(event.task_id == kTaskId);
  CHECK(event.user_id == "u-7f3c2a91");
  CHECK(event.timestamp == at("2026-03-03T16:30:00.412Z"));
  CHECK(event.remind_at == at("2026-03-03T16:30:00Z"));
  CHECK(event.due_date == at("2026-03-03T17:00:00Z"));
  CHECK_FALSE(event.late);
  REQUIRE(event.task.has_value());
  CHECK(event.task->title == "Buy milk & eggs");
  CHECK(event.metadata.at("scheduler") == "reminder-scheduler");
}

TEST_CASE("reminder.due: optional fields default") {
  const auto event = parse_reminder_due_event(minimal_reminder()).value();
  CHECK_FALSE(event.late);
  CHECK_FALSE(event.due_date.has_value());
  CHECK_FALSE(event.task.has_value());
  CHECK(event.metadata == json::object());
  CHECK(event.schema_version == 1);
}

TEST_CASE("reminder.due: each missing required field is rejected naming it") {
  for (const auto* field : {"event_type", "task_id", "user_id", "timestamp", "remind_at"}) {
    CAPTURE(field);
    auto data = minimal_reminder();
    data.erase(field);
    CHECK(subject_of_failure(parse_reminder_due_event(data)) == field);
  }
}

TEST_CASE("reminder.due: wrong types and values are rejected naming the field") {
  const std::pair<const char*, json> cases[] = {
      {"event_type", "task.created"},
      {"late", "false"},
      {"late", 0},
      {"due_date", "soon"},
      {"remind_at", 1},
      {"task_data", "t-1"},
      {"metadata", 1},
      {"schema_version", 2},
  };
  for (const auto& [field, value] : cases) {
    CAPTURE(field);
    CAPTURE(value.dump());
    auto data = minimal_reminder();
    data[field] = value;
    CHECK(subject_of_failure(parse_reminder_due_event(data)) == field);
  }
}

TEST_CASE("reminder.due: task_data, when present, needs an id equal to task_id") {
  auto data = minimal_reminder();
  data["task_data"] = json{{"title", "x"}};
  CHECK(subject_of_failure(parse_reminder_due_event(data)) == "task_data.id");
  data["task_data"]["id"] = "other";
  CHECK(subject_of_failure(parse_reminder_due_event(data)) == "task_data.id");
  data["task_data"]["id"] = "t-1";
  CHECK(parse_reminder_due_event(data)->task->title == "x");
}

TEST_CASE("reminder.due events round-trip through to_json") {
  const auto event = parse_reminder_due_event(payload_of("reminder_due.json")).value();
  const auto out = tew::to_json(event);
  CHECK(out.at("event_type") == "reminder.due");
  CHECK(parse_reminder_due_event(out).value() == event);

  auto late = parse_reminder_due_event(minimal_reminder()).value();
  late.late = true;
  const auto late_out = tew::to_json(late);
  CHECK_FALSE(late_out.contains("due_date"));
  CHECK_FALSE(late_out.contains("task_data"));
  CHECK(parse_reminder_due_event(late_out).value() == late);
}
