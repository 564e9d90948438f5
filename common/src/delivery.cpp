#include "delivery.hpp"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/predicate.hpp>

namespace tew {

bool has_ce_headers(const HttpRequest& req) {
  return req.find("ce-specversion") != req.end();
}

Result<CloudEvent> read_cloud_event(const HttpRequest& req) {
  if (has_ce_headers(req)) {
    HeaderMap headers;
    for (const auto& field : req) {
      auto name = boost::algorithm::to_lower_copy(std::string(field.name_string()));
      headers.emplace(std::move(name), std::string(field.value()));
    }
    return parse_binary_event(headers, req.body());
  }
  const auto content_type = req[http::field::content_type];
  if (!is_json_media_type(content_type))
    return Error::invalid("content-type",
                          "unsupported '" + std::string(content_type) +
                              "': expected application/cloudevents+json or ce-* headers");
  return parse_structured_event(std::string_view(req.body()));
}

Result<CloudEvent> read_bulk_entry(const nlohmann::json& entry) {
  std::string content_type = "application/cloudevents+json";
  if (const auto it = entry.find("contentType"); it != entry.end() && !it->is_null()) {
    if (!it->is_string()) return Error::invalid("contentType", "must be a string");
    content_type = it->get<std::string>();
  }
  const auto event = entry.find("event");
  if (event == entry.end()) return Error::invalid("event", "bulk entry has no event");
  if (!is_json_media_type(content_type))
    return Error::invalid("contentType", "unsupported '" + content_type + "' in bulk entry");
  if (event->is_string())
    return parse_structured_event(std::string_view(event->get_ref<const std::string&>()));
  return parse_structured_event(*event);
}

}  // namespace tew
