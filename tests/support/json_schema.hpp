// A JSON Schema (draft-07) validator for the keywords our event schemas use, so tests can
// check that what the services publish matches docs/events/schemas. Checked against the
// official JSON-Schema-Test-Suite (tests/common/json_schema_test.cpp).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tew::testing {

// Keywords: $ref (same document "#/..." or a sibling file "x.json#/..."), definitions, type,
// enum, const, properties, required, additionalProperties, items (one schema or a tuple),
// additionalItems, minItems, maxItems, uniqueItems, minLength, maxLength, pattern, minimum,
// maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minProperties, maxProperties,
// allOf, anyOf, oneOf, not, if/then/else, format (date-time, uuid). Unknown keywords are
// annotations and ignored, as the draft says.
class JsonSchemaValidator {
 public:
  // Schemas referenced by file name are read from `schema_dir`.
  explicit JsonSchemaValidator(std::filesystem::path schema_dir);

  // The violations of the schema in `schema_file`, each "<json pointer>: <what>"; empty when
  // `instance` is valid.
  std::vector<std::string> validate(const nlohmann::json& instance, std::string_view schema_file);
  // The same against a schema given inline; "$ref"s to files resolve against schema_dir.
  std::vector<std::string> validate_with(const nlohmann::json& instance,
                                         const nlohmann::json& schema);

 private:
  struct Scope;
  void check(const nlohmann::json& instance, const nlohmann::json& schema, const Scope& scope,
             const std::string& where, std::vector<std::string>& errors);
  const nlohmann::json& document(const std::string& file);

  std::filesystem::path dir_;
  std::map<std::string, nlohmann::json> documents_;
};

// docs/events/schemas of this checkout.
std::filesystem::path event_schema_dir();

}  // namespace tew::testing

namespace tew::testing {

// The violations of an event one of our services published: the CloudEvent against
// cloudevent.v1 and its data against "<type>.v1" (docs/events/schemas).
std::vector<std::string> published_event_violations(const nlohmann::json& event);

}  // namespace tew::testing
