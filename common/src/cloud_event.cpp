#include "tew/cloud_event.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "tew/base64.hpp"
#include "tew/json.hpp"
#include "tew/rfc3339.hpp"

namespace tew {

namespace {

using nlohmann::json;

// Names that are never extensions: the context attributes and the two data members.
constexpr std::array<std::string_view, 10> kReservedNames = {
    "specversion",     "id",         "source",      "type", "subject", "time",
    "datacontenttype", "dataschema", "data_base64", "data"};

constexpr std::string_view kBinaryPrefix = "ce-";

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Removes member `name` from `members` and returns its value; null counts as absent.
std::optional<json> take(json::object_t& members, std::string_view name) {
  const auto it = members.find(name);
  if (it == members.end()) return std::nullopt;
  std::optional<json> value;
  if (!it->second.is_null()) value.emplace(std::move(it->second));
  members.erase(it);
  return value;
}

Result<std::string> required_string(std::optional<json> value, std::string_view name) {
  if (!value) return Error::invalid(std::string(name), "is required");
  if (!value->is_string()) return Error::invalid(std::string(name), "must be a string");
  auto& text = value->get_ref<std::string&>();
  if (text.empty()) return Error::invalid(std::string(name), "must not be empty");
  return std::move(text);
}

Result<std::optional<std::string>> optional_string(std::optional<json> value,
                                                   std::string_view name) {
  if (!value) return std::optional<std::string>{};
  if (!value->is_string()) return Error::invalid(std::string(name), "must be a string");
  return std::optional<std::string>{std::move(value->get_ref<std::string&>())};
}

Result<void> check_specversion(const std::optional<json>& value, std::string_view name) {
  if (!value) return Error::invalid(std::string(name), "is required");
  if (!value->is_string()) {
    return Error::invalid(std::string(name),
                          "must be the string \"1.0\", not " + json_excerpt(*value));
  }
  if (value->get_ref<const std::string&>() != "1.0") {
    return Error::invalid(std::string(name),
                          "unsupported version " + json_excerpt(*value) + "; only \"1.0\" is read");
  }
  return {};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. Header values are
// checked because a JSON string holding anything else cannot be serialized (dump() throws).
bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xbf;  // allowed range of the first continuation byte
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) low = 0xa0;   // overlong
      if (lead == 0xed) high = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) low = 0x90;   // overlong
      if (lead == 0xf4) high = 0x8f;  // above U+10FFFF
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    if (byte(i + 1) < low || byte(i + 1) > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return false;
    }
    i += length;
  }
  return true;
}

// CloudEvents HTTP binding: header values percent-encode what HTTP cannot carry. A '%' not
// followed by two hex digits is kept as is (a sender that did not encode).
std::string percent_decode(std::string_view value) {
  if (value.find('%') == std::string_view::npos) return std::string(value);
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size()) {
      const int high = hex_value(value[i + 1]), low = hex_value(value[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(value[i]);
  }
  return out;
}

}  // namespace

std::optional<std::string> CloudEvent::extension(std::string_view name) const {
  if (!extensions.is_object()) return std::nullopt;
  const auto& members = extensions.get_ref<const json::object_t&>();
  const auto it = members.find(name);
  if (it == members.end() || !it->second.is_string()) return std::nullopt;
  return it->second.get_ref<const std::string&>();
}

Result<json> CloudEvent::payload_json() const& {
  if (data) {
    if (data->is_string() && datacontenttype && is_json_media_type(*datacontenttype)) {
      return parse_json(data->get_ref<const std::string&>(), "data");
    }
    return Result<json>(boost::system::in_place_value, *data);
  }
  if (data_bytes) return parse_json(*data_bytes, "data");
  return Error::invalid("data", "the event has no data");
}

Result<json> CloudEvent::payload_json() && {
  const bool json_text =
      data && data->is_string() && datacontenttype && is_json_media_type(*datacontenttype);
  if (data && !json_text) return Result<json>(boost::system::in_place_value, std::move(*data));
  return std::as_const(*this).payload_json();
}

Result<CloudEvent> parse_structured_event(const json& doc) {
  return parse_structured_event(json(doc));
}

Result<CloudEvent> parse_structured_event(json&& doc) {
  if (!doc.is_object()) {
    return Error::invalid("event", "a structured CloudEvent must be a JSON object");
  }
  auto& members = doc.get_ref<json::object_t&>();
  CloudEvent event;

  if (auto r = check_specversion(take(members, "specversion"), "specversion"); !r) {
    return r.error();
  }
  for (auto [name, target] : {std::pair{"id", &event.id}, std::pair{"source", &event.source},
                              std::pair{"type", &event.type}}) {
    auto value = required_string(take(members, name), name);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  for (auto [name, target] :
       {std::pair{"subject", &event.subject}, std::pair{"datacontenttype", &event.datacontenttype},
        std::pair{"dataschema", &event.dataschema}}) {
    auto value = optional_string(take(members, name), name);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  if (auto time = optional_string(take(members, "time"), "time"); !time) {
    return time.error();
  } else if (*time) {
    auto parsed = parse_rfc3339(**time, "time");
    if (!parsed) return parsed.error();
    event.time = *parsed;
  }

  // `data` is taken as is: a JSON null is a payload, not an absent attribute.
  if (const auto it = members.find("data"); it != members.end()) {
    event.data.emplace(std::move(it->second));
    members.erase(it);
  }
  if (auto encoded = take(members, "data_base64")) {
    if (event.data) {
      return Error::invalid("data_base64", "must not be present together with data");
    }
    if (!encoded->is_string()) return Error::invalid("data_base64", "must be a base64 string");
    auto bytes = base64_decode(encoded->get_ref<const std::string&>());
    if (!bytes) return Error::invalid("data_base64", "is not valid base64");
    event.data_bytes = std::move(*bytes);
  }

  std::erase_if(members, [](const auto& member) { return member.second.is_null(); });
  event.extensions = std::move(doc);
  return event;
}

Result<CloudEvent> parse_structured_event(std::string_view body) {
  auto doc = parse_json(body, "body");
  if (!doc) return doc.error();
  return parse_structured_event(std::move(*doc));
}

Result<CloudEvent> parse_binary_event(const HeaderMap& headers, std::string_view body) {
  // The ce- headers by attribute name, percent-decoded and checked once.
  std::map<std::string_view, std::string, std::less<>> attributes;
  for (auto it = headers.lower_bound(kBinaryPrefix);
       it != headers.end() && it->first.starts_with(kBinaryPrefix); ++it) {
    auto value = percent_decode(it->second);
    if (!is_valid_utf8(it->first) || !is_valid_utf8(value)) {
      return Error::invalid(it->first, "is not valid UTF-8");
    }
    attributes.emplace(std::string_view(it->first).substr(kBinaryPrefix.size()), std::move(value));
  }
  const auto take_attribute = [&](std::string_view name) -> std::optional<json> {
    const auto it = attributes.find(name);
    if (it == attributes.end()) return std::nullopt;
    json value(std::move(it->second));
    attributes.erase(it);
    return value;
  };

  CloudEvent event;
  if (auto r = check_specversion(take_attribute("specversion"), "ce-specversion"); !r) {
    return r.error();
  }
  for (auto [name, target] : {std::pair{"id", &event.id}, std::pair{"source", &event.source},
                              std::pair{"type", &event.type}}) {
    auto value = required_string(take_attribute(name), "ce-" + std::string(name));
    if (!value) return value.error();
    *target = std::move(*value);
  }
  for (auto& [name, value] : attributes) {
    if (name == "subject") {
      event.subject = std::move(value);
    } else if (name == "dataschema") {
      event.dataschema = std::move(value);
    } else if (name == "time") {
      auto time = parse_rfc3339(value, "ce-time");
      if (!time) return time.error();
      event.time = *time;
    } else if (!name.empty() && std::find(kReservedNames.begin(), kReservedNames.end(), name) ==
                                    kReservedNames.end()) {
      event.extensions[std::string(name)] = std::move(value);
    }
    // ce-datacontenttype, ce-data, ce-data_base64 are not binary-mode headers: ignored.
  }

  if (const auto it = headers.find("content-type"); it != headers.end()) {
    if (!is_valid_utf8(it->second)) return Error::invalid("content-type", "is not valid UTF-8");
    event.datacontenttype = it->second;
  }
  if (body.empty()) return event;
  if (event.datacontenttype && is_json_media_type(*event.datacontenttype)) {
    auto data = parse_json(body, "data");
    if (!data) return data.error();
    event.data = std::move(*data);
  } else {
    event.data_bytes = std::string(body);
  }
  return event;
}

bool is_json_media_type(std::string_view content_type) {
  const auto media_type = trim(content_type.substr(0, content_type.find(';')));
  constexpr std::string_view application = "application/", suffix = "+json";
  if (iequals(media_type, "application/json") || iequals(media_type, "text/json")) return true;
  return media_type.size() > application.size() + suffix.size() &&
         iequals(media_type.substr(0, application.size()), application) &&
         iequals(media_type.substr(media_type.size() - suffix.size()), suffix);
}

json to_json(const CloudEvent& event) {
  json out = envelope_json(event);
  if (event.data) {
    out["data"] = *event.data;
  } else if (event.data_bytes) {
    out["data_base64"] = base64_encode(*event.data_bytes);
  }
  return out;
}

json envelope_json(const CloudEvent& event) {
  json out = event.extensions.is_object() ? event.extensions : json::object();
  auto& members = out.get_ref<json::object_t&>();
  for (const auto name : kReservedNames) {
    if (const auto it = members.find(name); it != members.end()) members.erase(it);
  }
  out["specversion"] = event.specversion;
  out["id"] = event.id;
  out["source"] = event.source;
  out["type"] = event.type;
  if (event.subject) out["subject"] = *event.subject;
  if (event.time) out["time"] = format_rfc3339(*event.time);
  if (event.datacontenttype) out["datacontenttype"] = *event.datacontenttype;
  if (event.dataschema) out["dataschema"] = *event.dataschema;
  return out;
}

}  // namespace tew
