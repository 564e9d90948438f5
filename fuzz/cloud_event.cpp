// CloudEvent parsing: the whole input as a structured event; the input as headers + body
// (message.hpp) the way a request reaches read_cloud_event (structured or binary mode); and,
// when the body is a bulk envelope, every entry. Whatever parses must serialize (strictly)
// and parse back equal; whatever fails must say why.
#include "tew/cloud_event.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "delivery.hpp"
#include "message.hpp"
#include "tew/json.hpp"
#include "tew/log.hpp"

namespace {

using namespace tew;

void check_parsed(const Result<CloudEvent>& event) {
  if (!event) {
    TEW_FUZZ_CHECK(!event.error().subject.empty() && !event.error().message.empty());
    log_warn("dropping event", {{"reason", event.error().describe()}});
    return;
  }
  const auto doc = to_json(*event);
  fuzz::dump_strict(doc);
  const auto again = parse_structured_event(doc);
  TEW_FUZZ_CHECK(again.has_value());
  TEW_FUZZ_CHECK(*again == *event);
  if (const auto payload = event->payload_json()) fuzz::dump_strict(*payload);
  log_debug("event handled", event_fields(*event));
}

HttpRequest request_of(const fuzz::Message& message) {
  HttpRequest req{http::verb::post, "/events", 11};
  for (const auto& [name, value] : message.headers)
    req.insert(name, value);
  req.body() = std::string(message.body);
  return req;
}

void check_bulk(std::string_view body) {
  const auto doc = parse_json(body);
  if (!doc || !doc->is_object()) return;
  const auto entries = doc->find("entries");
  if (entries == doc->end() || !entries->is_array()) return;
  for (const auto& entry : *entries)
    if (entry.is_object()) check_parsed(read_bulk_entry(entry));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::log_to_nowhere(LogFormat::text);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_parsed(parse_structured_event(input));
  const auto message = fuzz::split_message(input);
  check_parsed(read_cloud_event(request_of(message)));
  check_bulk(message.body);
  return 0;
}
