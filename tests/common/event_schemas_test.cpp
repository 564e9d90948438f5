// docs/events/schemas describe the events the suite consumes and publishes; these tests keep
// them honest against the fixtures (what daprd delivers) and docs/events/examples.
#include <doctest/doctest.h>

#include <fstream>

#include "fixtures.hpp"
#include "json_schema.hpp"
#include "tew/cloud_event.hpp"

namespace {

using nlohmann::json;
using tew::testing::event_schema_dir;
using tew::testing::JsonSchemaValidator;
using tew::testing::read_fixture;

json data_of_fixture(const std::string& name) {
  return tew::parse_structured_event(read_fixture("events/" + name)).value().payload_json().value();
}

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors)
    out += e + "; ";
  return out;
}

std::filesystem::path examples_dir() {
  return event_schema_dir().parent_path() / "examples";
}

}  // namespace

TEST_CASE("every fixture daprd delivers validates against its event type's schema") {
  JsonSchemaValidator validator(event_schema_dir());
  const std::vector<std::pair<std::string, std::string>> cases{
      {"task_created.json", "task.created"},
      {"task_updated.json", "task.updated"},
      {"task_completed.json", "task.completed"},
      {"task_deleted.json", "task.deleted"},
      {"reminder_due.json", "reminder.due"},
      {"task_created_raw_payload.json", "task.created"},
      {"task_created_data_as_json_string.json", "task.created"}};
  for (const auto& [fixture, type] : cases) {
    const auto errors = validator.validate(data_of_fixture(fixture), type + ".v1.schema.json");
    CHECK_MESSAGE(errors.empty(), fixture << ": " << joined(errors));
  }
}

TEST_CASE("invalid task fixtures are rejected by the schema too") {
  JsonSchemaValidator validator(event_schema_dir());
  for (const std::string fixture :
       {"invalid_task_missing_task_id.json", "invalid_task_bad_due_date.json",
        "invalid_task_data_not_object.json", "invalid_task_future_schema_version.json",
        "invalid_task_version_string.json"}) {
    CHECK_MESSAGE(
        !validator.validate(data_of_fixture(fixture), "task.created.v1.schema.json").empty(),
        fixture);
  }
}

TEST_CASE("every example in docs/events/examples is a valid CloudEvent of its type") {
  JsonSchemaValidator validator(event_schema_dir());
  int examples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples_dir())) {
    std::ifstream in(entry.path());
    const auto event = json::parse(in);
    const auto type = event.at("data").at("event_type").get<std::string>();
    const auto name = entry.path().filename().string();
    CHECK_MESSAGE(name == type + ".json", name);
    const auto schema = type + ".v1.schema.json";
    REQUIRE_MESSAGE(std::filesystem::exists(event_schema_dir() / schema), schema);
    auto errors = validator.validate(event.at("data"), schema);
    CHECK_MESSAGE(errors.empty(), name << ": " << joined(errors));
    if (event.at("type") != "com.dapr.event.sent") {  // published by us: a full CloudEvent
      errors = validator.validate(event, "cloudevent.v1.schema.json");
      CHECK_MESSAGE(errors.empty(), name << ": " << joined(errors));
      CHECK(event.at("type") == type);
    }
    ++examples;
  }
  int schemas = 0;
  for (const auto& entry : std::filesystem::directory_iterator(event_schema_dir())) {
    const auto name = entry.path().filename().string();
    if (name.find(".v1.schema.json") == std::string::npos) continue;
    const auto type = name.substr(0, name.find(".v1.schema.json"));
    if (type == "task" || type == "envelope" || type == "cloudevent") continue;
    CHECK_MESSAGE(std::filesystem::exists(examples_dir() / (type + ".json")),
                  "no example for " << type);
    ++schemas;
  }
  CHECK(examples == schemas);
}
