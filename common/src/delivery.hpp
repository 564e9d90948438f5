// Reading the event out of what daprd (or a direct caller) POSTed: structured
// CloudEvents, binary mode (`ce-*` headers), and the entries of a bulk delivery.
#pragma once

#include <nlohmann/json.hpp>

#include "tew/cloud_event.hpp"
#include "tew/http_server.hpp"

namespace tew {

bool has_ce_headers(const HttpRequest& req);

// Structured for a JSON content type (application/cloudevents+json, application/json),
// binary when `ce-specversion` is present; any other content type is rejected by name.
Result<CloudEvent> read_cloud_event(const HttpRequest& req);

// One entry of daprd's bulk request: {"entryId","event","contentType","metadata"}.
Result<CloudEvent> read_bulk_entry(const nlohmann::json& entry);

}  // namespace tew
