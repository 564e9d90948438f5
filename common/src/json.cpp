#include "tew/json.hpp"

#include <limits>

namespace tew {

namespace {

// Scans `text` until its nesting exceeds `limit` (then returns limit + 1) or it ends (then
// returns the deepest nesting seen). Unbalanced closers never take the depth below zero.
std::size_t scan_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > limit) return deepest;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

// nlohmann's own DOM builder (what json::parse uses), stopping the parse at the first array or
// object that would nest deeper than `max_depth`: the bound costs a counter, not a second pass
// over the text. The DOM and dump() recurse, so deeper documents must never be built. Parse
// errors still throw, as from json::parse.
class BoundedDom : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  BoundedDom(nlohmann::json& doc, std::size_t max_depth)
      : json_sax_dom_parser(doc, /*allow_exceptions=*/true), max_depth_(max_depth) {}

  bool start_object(std::size_t elements) {
    return enter() && json_sax_dom_parser::start_object(elements);
  }
  bool end_object() {
    --depth_;
    return json_sax_dom_parser::end_object();
  }
  bool start_array(std::size_t elements) {
    return enter() && json_sax_dom_parser::start_array(elements);
  }
  bool end_array() {
    --depth_;
    return json_sax_dom_parser::end_array();
  }
  bool too_deep() const { return too_deep_; }

 private:
  bool enter() {
    if (++depth_ <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
};

// nlohmann's what() is "[json.exception.<kind>.<id>] <reason>; last read: '<input>'": keep the
// reason, drop the echo of the input (it may be long, binary, or secret).
std::string reason_of(const nlohmann::json::exception& e) {
  if (e.id == 406) return "number out of range";
  std::string_view what = e.what();
  if (const auto bracket = what.find("] "); bracket != std::string_view::npos) {
    what.remove_prefix(bracket + 2);
  }
  if (const auto echo = what.find("; last read"); echo != std::string_view::npos) {
    what = what.substr(0, echo);
  }
  if (const auto colon = what.find(": "); what.starts_with("parse error") && colon != what.npos) {
    what.remove_prefix(colon + 2);  // the position is reported in bytes by the caller
  }
  return std::string(what);
}

}  // namespace

std::size_t json_depth(std::string_view text) {
  return scan_depth(text, std::numeric_limits<std::size_t>::max());
}

Result<nlohmann::json> parse_json(std::string_view text, std::string_view subject,
                                  std::size_t max_depth) {
  try {
    nlohmann::json doc;
    BoundedDom dom(doc, max_depth);
    if (!nlohmann::json::sax_parse(text, &dom)) {
      return Error::invalid(std::string(subject),
                            dom.too_deep() ? "nesting deeper than " + std::to_string(max_depth)
                                           : std::string("invalid JSON"));
    }
    return Result<nlohmann::json>(boost::system::in_place_value, std::move(doc));
  } catch (const nlohmann::json::parse_error& e) {
    return Error::invalid(std::string(subject),
                          "invalid JSON at byte " + std::to_string(e.byte) + ": " + reason_of(e));
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid(std::string(subject), "invalid JSON: " + reason_of(e));
  }
}

std::string json_excerpt(const nlohmann::json& value, std::size_t max_chars) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > max_chars) {
    std::size_t cut = max_chars;
    // Never cut a UTF-8 sequence in half: back up over continuation bytes (10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
      --cut;
    text.resize(cut);
    text += "...";
  }
  return text;
}

}  // namespace tew
