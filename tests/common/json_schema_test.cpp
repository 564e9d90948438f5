// The schema validator the event-catalogue tests rely on, checked against the official
// JSON-Schema-Test-Suite (Debian package json-schema-test-suite), draft-07, for every keyword
// it implements. Groups whose schema uses a keyword it does not implement are skipped, and
// counted, so a broken reader of the suite cannot pass by checking nothing.
#include "json_schema.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <set>

namespace {

using nlohmann::json;
using tew::testing::JsonSchemaValidator;

const std::filesystem::path kSuite = "/usr/share/json-schema-test-suite/tests/draft7";

bool uses_unsupported(const json& schema) {
  static const std::set<std::string> unsupported{
      "$id", "patternProperties", "dependencies", "propertyNames", "contains", "definitions_meta"};
  if (schema.is_object()) {
    for (const auto& [key, value] : schema.items()) {
      if (unsupported.count(key)) return true;
      if (key == "$ref" && value.is_string() &&
          (value.get<std::string>().rfind("http", 0) == 0 ||
           value.get<std::string>().find("#") == std::string::npos))
        return true;
      if (uses_unsupported(value)) return true;
    }
  } else if (schema.is_array()) {
    for (const auto& item : schema)
      if (uses_unsupported(item)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the validator agrees with the JSON-Schema-Test-Suite on every keyword it implements") {
  REQUIRE(std::filesystem::is_directory(kSuite));
  const std::vector<std::string> files{"additionalItems",
                                       "additionalProperties",
                                       "allOf",
                                       "anyOf",
                                       "boolean_schema",
                                       "const",
                                       "definitions",
                                       "enum",
                                       "exclusiveMaximum",
                                       "exclusiveMinimum",
                                       "if-then-else",
                                       "items",
                                       "maxItems",
                                       "maxLength",
                                       "maxProperties",
                                       "maximum",
                                       "minItems",
                                       "minLength",
                                       "minProperties",
                                       "minimum",
                                       "multipleOf",
                                       "not",
                                       "oneOf",
                                       "pattern",
                                       "properties",
                                       "ref",
                                       "required",
                                       "type",
                                       "uniqueItems"};
  JsonSchemaValidator validator(kSuite);
  int checked = 0;
  int skipped = 0;
  for (const auto& file : files) {
    std::ifstream in(kSuite / (file + ".json"));
    REQUIRE_MESSAGE(in, file);
    for (const auto& group : json::parse(in)) {
      if (uses_unsupported(group["schema"])) {
        ++skipped;
        continue;
      }
      for (const auto& test : group["tests"]) {
        const auto errors = validator.validate_with(test["data"], group["schema"]);
        CHECK_MESSAGE(errors.empty() == test["valid"].get<bool>(),
                      file << ": " << group["description"].get<std::string>() << " / "
                           << test["description"].get<std::string>());
        ++checked;
      }
    }
  }
  MESSAGE("suite cases checked: " << checked << ", groups skipped: " << skipped);
  CHECK(checked > 250);
  CHECK(skipped < 15);
}

TEST_CASE("a violation names the JSON pointer of the offending value") {
  JsonSchemaValidator validator(".");
  const json schema = {
      {"type", "object"},
      {"properties", {{"a", {{"type", "array"}, {"items", {{"type", "integer"}}}}}}}};
  const auto errors = validator.validate_with(json{{"a", {1, "x"}}}, schema);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].rfind("/a/1: expected type", 0) == 0);
}

TEST_CASE("format date-time and uuid are asserted") {
  JsonSchemaValidator validator(".");
  CHECK(validator.validate_with("2026-03-02T09:14:05Z", {{"format", "date-time"}}).empty());
  CHECK_FALSE(validator.validate_with("2026-02-30T09:14:05Z", {{"format", "date-time"}}).empty());
  CHECK(validator.validate_with("0f8fad5b-d9cb-469f-a165-70867728950e", {{"format", "uuid"}})
            .empty());
  CHECK_FALSE(validator.validate_with("0f8fad5b", {{"format", "uuid"}}).empty());
}
