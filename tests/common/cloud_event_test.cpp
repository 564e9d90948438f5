#include "tew/cloud_event.hpp"

#include <doctest/doctest.h>

#include <string>

#include "fixtures.hpp"
#include "tew/base64.hpp"
#include "tew/rfc3339.hpp"

namespace {

using nlohmann::json;
using tew::CloudEvent;
using tew::HeaderMap;
using tew::parse_binary_event;
using tew::parse_structured_event;
using tew::testing::read_fixture;

json fixture_json(std::string_view name) {
  return json::parse(read_fixture("events/" + std::string(name)));
}

// A structured event with every required attribute, for tests that change one thing.
json minimal_event() {
  return json{{"specversion", "1.0"}, {"id", "e-1"}, {"source", "task-api"}, {"type", "t"}};
}

std::string subject_of_failure(const tew::Result<CloudEvent>& result) {
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().kind == tew::ErrorKind::invalid_input);
  return result.error().subject;
}

HeaderMap binary_headers() {
  return HeaderMap{{"ce-specversion", "1.0"},
                   {"ce-id", "b-1"},
                   {"ce-source", "task-api"},
                   {"ce-type", "task.created"},
                   {"content-type", "application/json"}};
}

}  // namespace

TEST_CASE("every valid event fixture parses as a structured event") {
  for (const auto* name :
       {"task_created.json", "task_updated.json", "task_completed.json", "task_deleted.json",
        "reminder_due.json", "task_created_raw_payload.json",
        "task_created_data_as_json_string.json", "invalid_task_missing_task_id.json",
        "invalid_task_data_not_object.json", "invalid_task_future_schema_version.json",
        "invalid_task_id_mismatch.json", "invalid_task_bad_due_date.json",
        "invalid_task_version_string.json"}) {
    CAPTURE(name);
    const auto event = parse_structured_event(read_fixture("events/" + std::string(name)));
    REQUIRE(event.has_value());
    CHECK(event->specversion == "1.0");
    CHECK(event->payload_json().has_value());
  }
}

TEST_CASE("every malformed event fixture is rejected naming the attribute at fault") {
  const std::pair<const char*, const char*> cases[] = {
      {"malformed_missing_id.json", "id"},
      {"malformed_empty_id.json", "id"},
      {"malformed_specversion_0_3.json", "specversion"},
      {"malformed_specversion_number.json", "specversion"},
      {"malformed_bad_data_base64.json", "data_base64"},
      {"malformed_data_and_data_base64.json", "data_base64"},
      {"malformed_bad_time.json", "time"},
      {"malformed_not_object.json", "event"},
      {"malformed_truncated.json", "body"},
  };
  for (const auto& [name, subject] : cases) {
    CAPTURE(name);
    CHECK(subject_of_failure(parse_structured_event(read_fixture("events/" + std::string(name)))) ==
          subject);
  }
}

TEST_CASE("a task.created event as daprd delivers it keeps every attribute") {
  const auto event = parse_structured_event(read_fixture("events/task_created.json")).value();
  CHECK(event.id == "0f8fad5b-d9cb-469f-a165-70867728950e");
  CHECK(event.source == "task-api");
  CHECK(event.type == "com.dapr.event.sent");
  CHECK(event.datacontenttype == "application/json");
  CHECK(event.time == tew::parse_rfc3339("2026-03-02T09:14:05Z").value());
  CHECK(event.extension("pubsubname") == "taskpubsub");
  CHECK(event.extension("topic") == "task-events");
  CHECK(event.extension("traceparent") ==
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(event.extension("traceid") == event.extension("traceparent"));
  CHECK(event.extension("tracestate") == "");
  REQUIRE(event.data.has_value());
  CHECK(event.data->at("task_data").at("title") == "Buy milk & eggs");
  CHECK_FALSE(event.extensions.contains("id"));
  CHECK_FALSE(event.extensions.contains("data"));
}

TEST_CASE("extensions are preserved verbatim, including traceparent, tracestate and expiration") {
  const auto event = parse_structured_event(read_fixture("events/task_updated.json")).value();
  CHECK(event.extension("expiration") == "2026-03-02T11:20:11Z");
  CHECK(event.extension("traceparent") ==
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  const auto completed = parse_structured_event(read_fixture("events/task_completed.json")).value();
  CHECK(completed.extension("tracestate") == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");

  auto doc = minimal_event();
  doc["comexampleextension"] = json{{"nested", json::array({1, 2})}};
  doc["count"] = 3;
  const auto custom = parse_structured_event(doc).value();
  CHECK(custom.extensions.at("comexampleextension") == doc["comexampleextension"]);
  CHECK(custom.extensions.at("count") == 3);
  CHECK_FALSE(custom.extension("count").has_value());  // not a string
  CHECK_FALSE(custom.extension("missing").has_value());
  CHECK(tew::to_json(custom).at("comexampleextension") == doc["comexampleextension"]);
}

TEST_CASE("the time attribute is read with its offset applied") {
  const auto event = parse_structured_event(read_fixture("events/task_updated.json")).value();
  CHECK(event.time == tew::parse_rfc3339("2026-03-02T10:20:11Z").value());
}

TEST_CASE("structured event without id is rejected naming the id attribute") {
  auto doc = minimal_event();
  doc.erase("id");
  const auto result = parse_structured_event(doc);
  CHECK(subject_of_failure(result) == "id");
  CHECK(result.error().message == "is required");
}

TEST_CASE("structured event with an empty or non-string id is rejected naming the id attribute") {
  auto doc = minimal_event();
  doc["id"] = "";
  CHECK(parse_structured_event(doc).error().describe() == "id: must not be empty");
  doc["id"] = 42;
  CHECK(parse_structured_event(doc).error().describe() == "id: must be a string");
  doc["id"] = nullptr;
  CHECK(parse_structured_event(doc).error().describe() == "id: is required");
}

TEST_CASE("source and type are required non-empty strings") {
  for (const auto* name : {"source", "type"}) {
    CAPTURE(name);
    auto doc = minimal_event();
    doc.erase(name);
    CHECK(subject_of_failure(parse_structured_event(doc)) == name);
    doc[name] = "";
    CHECK(subject_of_failure(parse_structured_event(doc)) == name);
    doc[name] = json::array();
    CHECK(subject_of_failure(parse_structured_event(doc)) == name);
  }
}

TEST_CASE("specversion other than the string 1.0 is rejected naming specversion") {
  auto doc = minimal_event();
  doc["specversion"] = "0.3";
  const auto old = parse_structured_event(doc);
  CHECK(subject_of_failure(old) == "specversion");
  CHECK(old.error().message.find("\"0.3\"") != std::string::npos);
  doc["specversion"] = 1.0;
  const auto number = parse_structured_event(doc);
  CHECK(subject_of_failure(number) == "specversion");
  CHECK(number.error().message.find("must be the string") != std::string::npos);
  doc["specversion"] = "1.0.0";
  CHECK(subject_of_failure(parse_structured_event(doc)) == "specversion");
  doc.erase("specversion");
  CHECK(subject_of_failure(parse_structured_event(doc)) == "specversion");
}

TEST_CASE("optional attributes of the wrong type are rejected naming them") {
  for (const auto* name : {"subject", "datacontenttype", "dataschema", "time"}) {
    CAPTURE(name);
    auto doc = minimal_event();
    doc[name] = 17;
    CHECK(subject_of_failure(parse_structured_event(doc)) == name);
  }
}

TEST_CASE("an attribute whose value is null counts as absent") {
  auto doc = minimal_event();
  doc["subject"] = nullptr;
  doc["time"] = nullptr;
  doc["traceparent"] = nullptr;
  const auto event = parse_structured_event(doc).value();
  CHECK_FALSE(event.subject.has_value());
  CHECK_FALSE(event.time.has_value());
  CHECK_FALSE(event.extensions.contains("traceparent"));
}

TEST_CASE("a null data member is a null payload, not an absent one") {
  auto doc = minimal_event();
  doc["data"] = nullptr;
  const auto event = parse_structured_event(doc).value();
  REQUIRE(event.data.has_value());
  CHECK(event.data->is_null());
}

TEST_CASE("an invalid time is rejected naming the time attribute") {
  auto doc = minimal_event();
  doc["time"] = "2026-03-02 9:14";
  CHECK(subject_of_failure(parse_structured_event(doc)) == "time");
}

TEST_CASE("data_base64 is decoded into data_bytes") {
  auto doc = minimal_event();
  doc["data_base64"] = tew::base64_encode(std::string("\x00\x01\xff", 3));
  const auto event = parse_structured_event(doc).value();
  CHECK_FALSE(event.data.has_value());
  CHECK(event.data_bytes == std::string("\x00\x01\xff", 3));
}

TEST_CASE("invalid data_base64 is rejected naming data_base64") {
  auto doc = minimal_event();
  for (const json& bad : {json("not base64!"), json("Zg="), json(12), json::object()}) {
    CAPTURE(bad.dump());
    doc["data_base64"] = bad;
    CHECK(subject_of_failure(parse_structured_event(doc)) == "data_base64");
  }
}

TEST_CASE("data and data_base64 together are rejected naming data_base64") {
  auto doc = minimal_event();
  doc["data"] = json::object();
  doc["data_base64"] = "e30=";
  const auto result = parse_structured_event(doc);
  CHECK(subject_of_failure(result) == "data_base64");
  CHECK(result.error().message.find("together with data") != std::string::npos);
}

TEST_CASE("a structured event that is not an object is rejected naming the event") {
  for (const auto* body : {"[]", "\"event\"", "42", "null", "true"}) {
    CAPTURE(body);
    CHECK(subject_of_failure(parse_structured_event(std::string_view(body))) == "event");
  }
}

TEST_CASE("a truncated structured event is rejected naming the body") {
  const std::string full = read_fixture("events/task_created.json");
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, full.size() / 2, full.size() - 1}) {
    CAPTURE(length);
    CHECK(subject_of_failure(parse_structured_event(full.substr(0, length))) == "body");
  }
}

TEST_CASE("a deeply nested structured event is rejected before it is parsed") {
  const std::string body =
      R"({"specversion":"1.0","id":"x","source":"s","type":"t","data":)" + std::string(100000, '[');
  const auto result = parse_structured_event(body);
  CHECK(subject_of_failure(result) == "body");
  CHECK(result.error().message == "nesting deeper than 64");
}

TEST_CASE("a structured event with invalid UTF-8 is rejected naming the body") {
  const std::string body =
      "{\"specversion\":\"1.0\",\"id\":\"\xc3\x28\",\"source\":\"s\",\"type\":\"t\"}";
  CHECK(subject_of_failure(parse_structured_event(body)) == "body");
}

TEST_CASE("a structured event with a number out of range is rejected naming the body") {
  const std::string body = R"({"specversion":"1.0","id":"x","source":"s","type":"t","data":1e999})";
  CHECK(subject_of_failure(parse_structured_event(body)) == "body");
}

TEST_CASE("text, lvalue and rvalue JSON forms parse to the same event") {
  const std::string text = read_fixture("events/task_created.json");
  const json doc = json::parse(text);
  const auto from_text = parse_structured_event(text).value();
  CHECK(parse_structured_event(doc).value() == from_text);
  CHECK(parse_structured_event(json(doc)).value() == from_text);
  CHECK(parse_structured_event(std::string_view(text)).value() == from_text);
  CHECK(parse_structured_event(text.c_str()).value() == from_text);
}

TEST_CASE("structured events round-trip through to_json") {
  for (const auto* name :
       {"task_created.json", "task_updated.json", "task_completed.json", "task_deleted.json",
        "reminder_due.json", "task_created_raw_payload.json",
        "task_created_data_as_json_string.json"}) {
    CAPTURE(name);
    const auto event = parse_structured_event(read_fixture("events/" + std::string(name))).value();
    const auto again = parse_structured_event(tew::to_json(event));
    REQUIRE(again.has_value());
    CHECK(*again == event);
  }
}

TEST_CASE("to_json writes data_bytes as data_base64 and times in canonical form") {
  CloudEvent event;
  event.id = "x";
  event.source = "s";
  event.type = "t";
  event.time = tew::parse_rfc3339("2026-03-02T10:20:11.5+01:00").value();
  event.data_bytes = "{}";
  const auto out = tew::to_json(event);
  CHECK(out.at("data_base64") == "e30=");
  CHECK_FALSE(out.contains("data"));
  CHECK(out.at("time") == "2026-03-02T09:20:11.500000Z");
  CHECK(out.at("specversion") == "1.0");
  CHECK(parse_structured_event(out).value() == event);
}

TEST_CASE("extensions never overwrite context attributes in to_json") {
  CloudEvent event;
  event.id = "real-id";
  event.source = "s";
  event.type = "t";
  event.data = json{{"a", 1}};
  event.extensions = json{{"id", "fake"}, {"data_base64", "e30="}, {"topic", "x"}};
  const auto out = tew::to_json(event);
  CHECK(out.at("id") == "real-id");
  CHECK_FALSE(out.contains("data_base64"));
  CHECK(out.at("topic") == "x");
}

TEST_CASE("payload_json returns object data as is") {
  const auto event = parse_structured_event(read_fixture("events/task_created.json")).value();
  const auto payload = event.payload_json();
  REQUIRE(payload.has_value());
  CHECK(*payload == *event.data);
}

TEST_CASE("payload_json parses string data whose content type is JSON") {
  const auto event =
      parse_structured_event(read_fixture("events/task_created_data_as_json_string.json")).value();
  REQUIRE(event.data->is_string());
  const auto payload = event.payload_json();
  REQUIRE(payload.has_value());
  CHECK(payload->at("event_type") == "task.created");
  CHECK(CloudEvent(event).payload_json().value() == *payload);
}

TEST_CASE("payload_json keeps string data of a non-JSON content type as a string") {
  auto doc = minimal_event();
  doc["datacontenttype"] = "text/plain";
  doc["data"] = "{\"a\":1}";
  CHECK(parse_structured_event(doc)->payload_json().value() == "{\"a\":1}");
  doc.erase("datacontenttype");
  CHECK(parse_structured_event(doc)->payload_json().value() == "{\"a\":1}");
}

TEST_CASE("payload_json parses raw-payload bytes as JSON") {
  const auto event =
      parse_structured_event(read_fixture("events/task_created_raw_payload.json")).value();
  CHECK(event.datacontenttype == "application/octet-stream");
  REQUIRE(event.data_bytes.has_value());
  const auto payload = event.payload_json();
  REQUIRE(payload.has_value());
  CHECK(payload->at("task_id") == "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42");
}

TEST_CASE("payload_json fails naming data when there is none or it is not JSON") {
  CloudEvent event;
  CHECK(event.payload_json().error().subject == "data");
  event.data_bytes = "\x89PNG";
  CHECK(event.payload_json().error().subject == "data");
  event.data_bytes = std::string(1000, '[');
  CHECK(event.payload_json().error().message == "nesting deeper than 64");
  event.data_bytes.reset();
  event.data = "{\"truncated\":";
  event.datacontenttype = "application/json; charset=utf-8";
  CHECK(event.payload_json().error().subject == "data");
}

TEST_CASE("payload_json on an rvalue moves the data out") {
  auto event = parse_structured_event(read_fixture("events/task_created.json")).value();
  const json expected = *event.data;
  const auto payload = std::move(event).payload_json();
  REQUIRE(payload.has_value());
  CHECK(*payload == expected);
}

TEST_CASE("every entry of a bulk delivery parses as a structured event") {
  const auto bulk = fixture_json("bulk_task_events.json");
  CHECK(bulk.at("type") == "com.dapr.event.sent.bulk");
  REQUIRE(bulk.at("entries").size() == 2);
  for (const auto& entry : bulk.at("entries")) {
    CAPTURE(entry.at("entryId"));
    CHECK(entry.at("contentType") == "application/cloudevents+json");
    const auto event = parse_structured_event(entry.at("event"));
    REQUIRE(event.has_value());
    CHECK(event->payload_json().has_value());
  }
}

TEST_CASE("media types: JSON and +json types are JSON, parameters and case ignored") {
  for (const auto* type : {"application/json", "application/json; charset=utf-8",
                           "APPLICATION/JSON", " application/json ", "application/cloudevents+json",
                           "text/json", "application/vnd.api+JSON;v=1"}) {
    CAPTURE(type);
    CHECK(tew::is_json_media_type(type));
  }
  for (const auto* type :
       {"", "text/plain", "application/octet-stream", "application/jsonx", "application/+json",
        "json", "text/json-seq", "application/xml", "image/svg+xml", "multipart/json"}) {
    CAPTURE(type);
    CHECK_FALSE(tew::is_json_media_type(type));
  }
}

TEST_CASE("binary mode: attributes come from ce- headers and JSON bodies become data") {
  auto headers = binary_headers();
  headers["ce-time"] = "2026-03-02T09:14:05+00:00";
  headers["ce-subject"] = "task/5b1f";
  headers["ce-traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  headers["ce-expiration"] = "2026-03-02T10:00:00Z";
  headers["traceparent"] = "not an attribute";
  const auto event = parse_binary_event(headers, R"({"event_type":"task.created"})").value();
  CHECK(event.id == "b-1");
  CHECK(event.source == "task-api");
  CHECK(event.type == "task.created");
  CHECK(event.subject == "task/5b1f");
  CHECK(event.time == tew::parse_rfc3339("2026-03-02T09:14:05Z").value());
  CHECK(event.datacontenttype == "application/json");
  CHECK(event.extension("traceparent") ==
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(event.extension("expiration") == "2026-03-02T10:00:00Z");
  CHECK(event.extensions.size() == 2);
  CHECK(event.data == json{{"event_type", "task.created"}});
  CHECK_FALSE(event.data_bytes.has_value());
}

TEST_CASE("binary mode with missing ce-id is rejected naming the ce-id header") {
  auto headers = binary_headers();
  headers.erase("ce-id");
  const auto result = parse_binary_event(headers, "{}");
  CHECK(subject_of_failure(result) == "ce-id");
  headers["ce-id"] = "";
  CHECK(subject_of_failure(parse_binary_event(headers, "{}")) == "ce-id");
}

TEST_CASE("binary mode: required headers and specversion are checked") {
  for (const auto* name : {"ce-specversion", "ce-source", "ce-type"}) {
    CAPTURE(name);
    auto headers = binary_headers();
    headers.erase(name);
    CHECK(subject_of_failure(parse_binary_event(headers, "{}")) == name);
  }
  auto headers = binary_headers();
  headers["ce-specversion"] = "0.3";
  CHECK(subject_of_failure(parse_binary_event(headers, "{}")) == "ce-specversion");
}

TEST_CASE("binary mode: an invalid ce-time is rejected naming ce-time") {
  auto headers = binary_headers();
  headers["ce-time"] = "now";
  CHECK(subject_of_failure(parse_binary_event(headers, "{}")) == "ce-time");
}

TEST_CASE("binary mode: a JSON content type with a body that is not JSON is rejected naming data") {
  CHECK(subject_of_failure(parse_binary_event(binary_headers(), "{\"a\":")) == "data");
  CHECK(subject_of_failure(parse_binary_event(binary_headers(), std::string(100000, '['))) ==
        "data");
}

TEST_CASE("binary mode: other bodies are kept as bytes, an empty body is no data") {
  auto headers = binary_headers();
  headers["content-type"] = "application/octet-stream";
  const auto bytes = parse_binary_event(headers, std::string_view("\x00\xff", 2)).value();
  CHECK(bytes.data_bytes == std::string("\x00\xff", 2));
  CHECK_FALSE(bytes.data.has_value());

  const auto empty = parse_binary_event(binary_headers(), "").value();
  CHECK_FALSE(empty.data.has_value());
  CHECK_FALSE(empty.data_bytes.has_value());

  headers.erase("content-type");
  const auto untyped = parse_binary_event(headers, "hello").value();
  CHECK_FALSE(untyped.datacontenttype.has_value());
  CHECK(untyped.data_bytes == "hello");
}

TEST_CASE("binary mode: header values are percent-decoded") {
  auto headers = binary_headers();
  headers["ce-subject"] = "caf%C3%A9 %22x%22";
  headers["ce-note"] = "100% sure";
  const auto event = parse_binary_event(headers, "").value();
  CHECK(event.subject == "caf\xc3\xa9 \"x\"");
  CHECK(event.extension("note") == "100% sure");
}

TEST_CASE("binary mode: header values that are not UTF-8 are rejected naming the header") {
  auto headers = binary_headers();
  headers["ce-subject"] = "caf\xe9";
  CHECK(subject_of_failure(parse_binary_event(headers, "")) == "ce-subject");
  headers["ce-subject"] = "caf%E9";
  CHECK(subject_of_failure(parse_binary_event(headers, "")) == "ce-subject");
  headers["ce-subject"] = "%ED%A0%80";  // an encoded surrogate
  CHECK(subject_of_failure(parse_binary_event(headers, "")) == "ce-subject");
  headers["ce-subject"] = "%F0%9F%98%80";
  CHECK(parse_binary_event(headers, "")->subject == "\xf0\x9f\x98\x80");
  headers = binary_headers();
  headers["content-type"] = "text/plain; charset=\xff";
  CHECK(subject_of_failure(parse_binary_event(headers, "x")) == "content-type");
}

TEST_CASE("binary mode: ce-data headers are not attributes and never become extensions") {
  auto headers = binary_headers();
  headers["ce-datacontenttype"] = "text/plain";
  headers["ce-data_base64"] = "e30=";
  const auto event = parse_binary_event(headers, "{}").value();
  CHECK(event.datacontenttype == "application/json");
  CHECK(event.extensions.empty());
}

TEST_CASE("binary mode events serialize to structured events that parse back equal") {
  auto headers = binary_headers();
  headers["ce-traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const auto event = parse_binary_event(headers, R"({"a":[1,2]})").value();
  CHECK(parse_structured_event(tew::to_json(event)).value() == event);
}
