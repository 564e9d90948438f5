#include "delivery.hpp"

#include <doctest/doctest.h>

#include "fixtures.hpp"

using nlohmann::json;
using tew::testing::read_fixture;

namespace {

tew::HttpRequest post(std::string content_type, std::string body) {
  tew::HttpRequest req{tew::http::verb::post, "/events", 11};
  if (!content_type.empty()) req.set(tew::http::field::content_type, content_type);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

std::string subject_of(const tew::Result<tew::CloudEvent>& result) {
  REQUIRE_FALSE(result.has_value());
  return result.error().subject;
}

}  // namespace

TEST_CASE("a structured event is read with any JSON content type") {
  const auto body = read_fixture("events/task_created.json");
  for (const auto* type : {"application/cloudevents+json", "application/json",
                           "application/cloudevents+json; charset=utf-8", "Application/JSON"}) {
    CAPTURE(type);
    const auto event = tew::read_cloud_event(post(type, body));
    REQUIRE(event.has_value());
    CHECK(event->id == "0f8fad5b-d9cb-469f-a165-70867728950e");
    CHECK(event->source == "task-api");
  }
}

TEST_CASE("a content type that is not JSON is rejected by name, also when absent") {
  const auto body = read_fixture("events/task_created.json");
  CHECK(subject_of(tew::read_cloud_event(post("text/plain", body))) == "content-type");
  CHECK(subject_of(tew::read_cloud_event(post("", body))) == "content-type");
  CHECK(subject_of(tew::read_cloud_event(post("application/octet-stream", body))) ==
        "content-type");
}

TEST_CASE("ce-* headers make it a binary-mode event whatever the header case") {
  auto req = post("application/json", R"({"task_id":"t-1"})");
  req.set("CE-SpecVersion", "1.0");
  req.set("ce-id", "bin-1");
  req.set("Ce-Source", "direct-caller");
  req.set("ce-type", "task.created");
  REQUIRE(tew::has_ce_headers(req));
  const auto event = tew::read_cloud_event(req);
  REQUIRE(event.has_value());
  CHECK(event->id == "bin-1");
  CHECK(event->source == "direct-caller");
  CHECK(event->data == json{{"task_id", "t-1"}});
}

TEST_CASE("a binary-mode event with a missing attribute header is rejected naming it") {
  auto req = post("application/json", "{}");
  req.set("ce-specversion", "1.0");
  req.set("ce-source", "direct-caller");
  req.set("ce-type", "task.created");
  CHECK(subject_of(tew::read_cloud_event(req)) == "ce-id");
}

TEST_CASE("without ce-specversion an event is read as structured, not binary") {
  auto req = post("application/cloudevents+json", read_fixture("events/task_created.json"));
  req.set("ce-id", "ignored");
  CHECK_FALSE(tew::has_ce_headers(req));
  CHECK(tew::read_cloud_event(req)->id == "0f8fad5b-d9cb-469f-a165-70867728950e");
}

TEST_CASE("a bulk entry is read from its event object, or from a string holding it") {
  const auto bulk = json::parse(read_fixture("events/bulk_task_events.json"));
  const auto& entry = bulk["entries"][0];
  const auto from_object = tew::read_bulk_entry(entry);
  REQUIRE(from_object.has_value());
  CHECK(from_object->id == "0f8fad5b-d9cb-469f-a165-70867728950e");

  auto as_string = entry;
  as_string["event"] = entry["event"].dump();
  CHECK(tew::read_bulk_entry(as_string).value() == *from_object);
}

TEST_CASE("a bulk entry without contentType is taken as a CloudEvent") {
  auto entry = json::parse(read_fixture("events/bulk_task_events.json"))["entries"][1];
  entry.erase("contentType");
  CHECK(tew::read_bulk_entry(entry).has_value());
}

TEST_CASE("a bulk entry without an event, or with a content type that is not JSON, is rejected") {
  auto entry = json::parse(read_fixture("events/bulk_task_events.json"))["entries"][0];
  auto no_event = entry;
  no_event.erase("event");
  CHECK(subject_of(tew::read_bulk_entry(no_event)) == "event");

  auto octets = entry;
  octets["contentType"] = "application/octet-stream";
  CHECK(subject_of(tew::read_bulk_entry(octets)) == "contentType");
}

TEST_CASE("a bulk entry's malformed event is rejected naming the attribute") {
  auto entry = json::parse(read_fixture("events/bulk_task_events.json"))["entries"][0];
  entry["event"]["specversion"] = "0.3";
  CHECK(subject_of(tew::read_bulk_entry(entry)) == "specversion");
  entry["event"] = "{\"truncated\":";
  CHECK(subject_of(tew::read_bulk_entry(entry)) == "body");
}
