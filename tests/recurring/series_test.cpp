#include "recurring/series.hpp"

#include <doctest/doctest.h>

#include "tew/event_id.hpp"
#include "tew/rfc3339.hpp"

namespace {

using namespace tew::recurring;
using nlohmann::json;

tew::Timestamp at(std::string_view text) {
  return tew::parse_rfc3339(text).value();
}

Series weekly_series() {
  Series s;
  s.id = "t-1";
  s.rule_text = "FREQ=WEEKLY;COUNT=5";
  s.rule = parse_rrule(s.rule_text).value();
  s.timezone = "Europe/Berlin";
  s.zone = find_time_zone(s.timezone, "tz").value();
  s.mode = RecurrenceMode::due;
  s.anchor = parse_local("2026-03-03T18:00:00", "t").value();
  s.current_task_id = "t-1";
  s.current = {s.anchor, at("2026-03-03T17:00:00Z"), 1};
  s.next =
      Occurrence{parse_local("2026-03-10T18:00:00", "t").value(), at("2026-03-10T17:00:00Z"), 2};
  s.last_change = EventOrder{"t-1", 3, at("2026-03-02T10:00:00Z"), at("2026-03-02T10:00:01Z")};
  s.task = {"u-1", "Water the plants", "balcony", 1800};
  return s;
}

}  // namespace

TEST_CASE("a series record has this JSON shape") {
  CHECK(to_json(weekly_series()) == json::parse(R"({
    "schema_version": 1,
    "series_id": "t-1",
    "state": "active",
    "rule": "FREQ=WEEKLY;COUNT=5",
    "timezone": "Europe/Berlin",
    "mode": "due",
    "spawn_on_schedule": false,
    "anchor": "2026-03-03T18:00:00",
    "current": {"task_id": "t-1", "start": "2026-03-03T17:00:00Z",
                "local": "2026-03-03T18:00:00", "index": 1},
    "next": {"start": "2026-03-10T17:00:00Z", "local": "2026-03-10T18:00:00", "index": 2},
    "last_change": {"task_id": "t-1", "version": 3, "updated_at": "2026-03-02T10:00:00Z",
                    "timestamp": "2026-03-02T10:00:01Z"},
    "task": {"user_id": "u-1", "title": "Water the plants", "description": "balcony",
             "remind_before_seconds": 1800}
  })"));
}

TEST_CASE("a series record reads back as it was written") {
  auto s = weekly_series();
  s.pending_trigger = json{{"id", "x"}};
  s.state = SeriesState::ended;
  s.mode = RecurrenceMode::completion;
  s.spawn_on_schedule = true;
  s.skipped_occurrences = 4;
  const auto back = parse_series(to_json(s));
  REQUIRE(back.has_value());
  CHECK(to_json(*back) == to_json(s));
  CHECK(back->rule == s.rule);
  CHECK(back->zone == s.zone);
  CHECK(back->skipped_occurrences == 4);
  s.skipped_occurrences = 0;  // not written then
  CHECK_FALSE(to_json(s).contains("skipped_occurrences"));
  s.next.reset();
  s.last_change.reset();
  s.task.remind_before_seconds.reset();
  s.pending_trigger.reset();
  CHECK(to_json(parse_series(to_json(s)).value()) == to_json(s));
}

TEST_CASE("a tombstone is only the id and the state") {
  Series tombstone;
  tombstone.id = "t-1";
  tombstone.state = SeriesState::deleted;
  const auto doc = to_json(tombstone);
  CHECK(doc == json{{"schema_version", 1}, {"series_id", "t-1"}, {"state", "deleted"}});
  const auto back = parse_series(doc);
  REQUIRE(back.has_value());
  CHECK(back->state == SeriesState::deleted);
}

TEST_CASE("a record this build cannot read is an error about the series, never dropped input") {
  const auto good = to_json(weekly_series());
  const std::vector<std::pair<std::string, json>> cases = {
      {"schema_version", 2},       {"state", "paused"},      {"rule", "FREQ=HOURLY"},
      {"timezone", "Nowhere"},     {"mode", "sometimes"},    {"anchor", "2026-03-03T18:00:00Z"},
      {"current", "t-1"},          {"task", json::array()},  {"series_id", 1},
      {"spawn_on_schedule", "no"}, {"pending_trigger", "x"}, {"next", json::object()},
      {"skipped_occurrences", "3"}};
  for (const auto& [field, value] : cases) {
    CAPTURE(field);
    auto doc = good;
    doc[field] = value;
    const auto r = parse_series(doc);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().subject == "series");
    CHECK(r.error().kind == tew::ErrorKind::unavailable);
  }
  CHECK_FALSE(parse_series(json::array()).has_value());
}

TEST_CASE("event order: version first, then updated_at, then the event timestamp") {
  const EventOrder v2{"t", 2, at("2026-01-02T00:00:00Z"), at("2026-01-01T00:00:00Z")};
  const EventOrder v3{"t", 3, at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z")};
  CHECK(is_older(v2, v3));
  CHECK_FALSE(is_older(v3, v2));
  CHECK_FALSE(is_older(v2, v2));
  const EventOrder u1{"t", std::nullopt, at("2026-01-01T00:00:00Z"), at("2026-01-09T00:00:00Z")};
  const EventOrder u2{"t", 1, at("2026-01-02T00:00:00Z"), at("2026-01-01T00:00:00Z")};
  CHECK(is_older(u1, u2));
  const EventOrder t1{"t", std::nullopt, std::nullopt, at("2026-01-01T00:00:00Z")};
  const EventOrder t2{"t", 5, std::nullopt, at("2026-01-02T00:00:00Z")};
  CHECK(is_older(t1, t2));
}

TEST_CASE("spawned ids are UUID v5 of (series id, occurrence start), distinct for the event") {
  const auto start = at("2026-03-10T17:00:00Z");
  CHECK(spawned_task_id("t-1", start) == tew::derive_id({"t-1", "2026-03-10T17:00:00Z"}));
  CHECK(trigger_event_id("t-1", start) ==
        tew::derive_id({"t-1", "2026-03-10T17:00:00Z", "recurring.trigger"}));
  CHECK(spawned_task_id("t-1", start) != trigger_event_id("t-1", start));
  CHECK(spawned_task_id("t-1", start) != spawned_task_id("t-2", start));
  CHECK(spawned_task_id("t-1", start) != spawned_task_id("t-1", at("2026-03-17T17:00:00Z")));
}
