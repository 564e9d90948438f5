// CloudEvents 1.0 as daprd delivers them: structured JSON (`application/cloudevents+json`,
// `data_base64` for raw payloads) and binary mode (`ce-*` headers) for events posted directly.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tew/clock.hpp"
#include "tew/error.hpp"

namespace tew {

struct CloudEvent {
  // Required context attributes.
  std::string specversion = "1.0";
  std::string id;
  std::string source;
  std::string type;
  // Optional context attributes.
  std::optional<std::string> subject;
  std::optional<Timestamp> time;
  std::optional<std::string> datacontenttype;
  std::optional<std::string> dataschema;
  // Every other attribute (pubsubname, topic, traceid, traceparent, tracestate, expiration,
  // ...), kept verbatim so nothing daprd sent is lost when the event is serialized again.
  nlohmann::json extensions = nlohmann::json::object();
  // Exactly one of: `data` (a JSON value, which may be a string), or `data_bytes`
  // (decoded `data_base64`, or a binary-mode body that is not JSON); neither when absent.
  std::optional<nlohmann::json> data;
  std::optional<std::string> data_bytes;

  // A string extension attribute, if present and a string (e.g. "topic", "traceparent").
  std::optional<std::string> extension(std::string_view name) const;

  // The payload as JSON: `data` as is, except that a string whose datacontenttype is JSON is
  // parsed; `data_bytes` is parsed as JSON (raw-payload mode). Bounded like parse_json.
  Result<nlohmann::json> payload_json() const;
};

// Validates a decoded structured event: specversion "1.0"; id, source, type non-empty
// strings; optional attributes of the right type; `time` RFC 3339; `data_base64` valid base64
// and not together with `data`. Errors name the attribute (subject = attribute name).
Result<CloudEvent> parse_structured_event(const nlohmann::json& doc);
// Parses the JSON text first (bounded, see json.hpp), then as above.
Result<CloudEvent> parse_structured_event(std::string_view body);

// Binary mode: attributes from `ce-<name>` headers (names lower-case), data from the body with
// the Content-Type as datacontenttype; a JSON content type makes `data` a JSON value.
using HeaderMap = std::map<std::string, std::string, std::less<>>;
Result<CloudEvent> parse_binary_event(const HeaderMap& headers, std::string_view body);

// True if the media type (parameters ignored, case-insensitive) is JSON: application/json,
// application/*+json, text/json.
bool is_json_media_type(std::string_view content_type);

// Structured JSON form; `data_bytes` becomes `data_base64`.
nlohmann::json to_json(const CloudEvent& event);

}  // namespace tew
