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
  // No data at all is an error naming "data". The rvalue form moves `data` out.
  Result<nlohmann::json> payload_json() const&;
  Result<nlohmann::json> payload_json() &&;

  friend bool operator==(const CloudEvent&, const CloudEvent&) = default;
};

// Validates a decoded structured event: specversion "1.0"; id, source, type non-empty
// strings; optional attributes of the right type; `time` RFC 3339; `data_base64` valid base64
// and not together with `data`. Errors name the attribute (subject = attribute name; "event"
// when the document is not an object). An attribute whose value is null counts as absent
// (CloudEvents JSON format), except `data`, where null is the payload. The rvalue form moves
// `data` and the extensions out of `doc` instead of copying them.
Result<CloudEvent> parse_structured_event(const nlohmann::json& doc);
Result<CloudEvent> parse_structured_event(nlohmann::json&& doc);
// Parses the JSON text first (bounded, see json.hpp; errors name "body"), then as above.
Result<CloudEvent> parse_structured_event(std::string_view body);
// A std::string or a literal converts both to nlohmann::json and to std::string_view: these
// make such calls pick the text form instead of being ambiguous.
inline Result<CloudEvent> parse_structured_event(const std::string& body) {
  return parse_structured_event(std::string_view(body));
}
inline Result<CloudEvent> parse_structured_event(const char* body) {
  return parse_structured_event(std::string_view(body));
}

// Binary mode: attributes from `ce-<name>` headers (names lower-case), data from the body with
// the Content-Type as datacontenttype; a JSON content type makes `data` a JSON value.
// Header values are percent-decoded (CloudEvents HTTP binding); errors name the header
// ("ce-id"), or "data" for a JSON body that does not parse. An empty body means no data.
using HeaderMap = std::map<std::string, std::string, std::less<>>;
Result<CloudEvent> parse_binary_event(const HeaderMap& headers, std::string_view body);

// True if the media type (parameters ignored, case-insensitive) is JSON: application/json,
// application/*+json, text/json.
bool is_json_media_type(std::string_view content_type);

// Structured JSON form; `data_bytes` becomes `data_base64`. Extensions never overwrite the
// context attributes. parse_structured_event(to_json(e)) == e for every parsed event.
nlohmann::json to_json(const CloudEvent& event);
// to_json(event) without `data` and `data_base64`: the envelope a serializer can write the data
// into without copying it first.
nlohmann::json envelope_json(const CloudEvent& event);

}  // namespace tew
