#include "json_schema.hpp"

#include <cmath>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "tew/rfc3339.hpp"

namespace tew::testing {

using nlohmann::json;

// Where a $ref without a file part resolves: the document the schema came from.
struct JsonSchemaValidator::Scope {
  const json* root;
};

namespace {

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (const unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

bool is_integer(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

bool has_type(const json& v, const std::string& type) {
  if (type == "integer") return is_integer(v);
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  throw std::invalid_argument("schema: unknown type " + type);
}

bool is_uuid(const std::string& s) {
  static const std::regex uuid(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
      "[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return std::regex_match(s, uuid);
}

bool format_ok(const std::string& format, const std::string& s) {
  if (format == "date-time") return parse_rfc3339(s).has_value();
  if (format == "uuid") return is_uuid(s);
  return true;  // other formats are annotations here
}

// A $ref fragment is a URI fragment: percent-decode it before reading it as a JSON pointer.
std::string percent_decoded(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

double as_double(const json& v) {
  return v.get<double>();
}

std::string escape_pointer(const std::string& key) {
  std::string out;
  for (const char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

}  // namespace

JsonSchemaValidator::JsonSchemaValidator(std::filesystem::path schema_dir)
    : dir_(std::move(schema_dir)) {}

const json& JsonSchemaValidator::document(const std::string& file) {
  auto found = documents_.find(file);
  if (found != documents_.end()) return found->second;
  std::ifstream in(dir_ / file);
  if (!in) throw std::runtime_error("schema: cannot read " + (dir_ / file).string());
  return documents_.emplace(file, json::parse(in)).first->second;
}

std::vector<std::string> JsonSchemaValidator::validate(const json& instance,
                                                       std::string_view schema_file) {
  const json& root = document(std::string(schema_file));
  std::vector<std::string> errors;
  check(instance, root, Scope{&root}, "", errors);
  return errors;
}

std::vector<std::string> JsonSchemaValidator::validate_with(const json& instance,
                                                            const json& schema) {
  std::vector<std::string> errors;
  check(instance, schema, Scope{&schema}, "", errors);
  return errors;
}

void JsonSchemaValidator::check(const json& v, const json& s, const Scope& scope,
                                const std::string& where, std::vector<std::string>& errors) {
  const auto fail = [&](const std::string& what) {
    errors.push_back((where.empty() ? "/" : where) + ": " + what);
  };
  if (s.is_boolean()) {
    if (!s.get<bool>()) fail("no value is allowed here");
    return;
  }
  if (!s.is_object()) throw std::invalid_argument("schema: a schema must be an object or bool");

  // In draft-07 a $ref replaces every sibling keyword.
  if (auto ref = s.find("$ref"); ref != s.end()) {
    const auto text = ref->get<std::string>();
    const auto hash = text.find('#');
    const auto file = text.substr(0, hash);
    const json& root = file.empty() ? *scope.root : document(file);
    const auto pointer =
        hash == std::string::npos ? std::string{} : percent_decoded(text.substr(hash + 1));
    const json& target = root.at(json::json_pointer(pointer));
    check(v, target, Scope{&root}, where, errors);
    return;
  }
  const auto sub = [&](const json& instance, const json& schema, const std::string& at) {
    std::vector<std::string> inner;
    check(instance, schema, scope, at, inner);
    return inner;
  };
  const auto passes = [&](const json& schema) { return sub(v, schema, where).empty(); };
  const auto merge = [&](std::vector<std::string> inner) {
    errors.insert(errors.end(), inner.begin(), inner.end());
  };

  if (auto type = s.find("type"); type != s.end()) {
    bool ok = false;
    if (type->is_string()) ok = has_type(v, type->get<std::string>());
    for (const auto& t : type->is_array() ? *type : json::array())
      ok = ok || has_type(v, t);
    if (!ok) fail("expected type " + type->dump() + ", got " + v.type_name());
  }
  if (auto e = s.find("enum"); e != s.end()) {
    bool ok = false;
    for (const auto& option : *e)
      ok = ok || option == v;
    if (!ok) fail("not one of " + e->dump());
  }
  if (auto c = s.find("const"); c != s.end() && *c != v) fail("expected " + c->dump());

  if (v.is_object()) {
    for (const auto& name : s.value("required", json::array()))
      if (!v.contains(name.get<std::string>())) fail("missing required " + name.dump());
    const auto properties = s.value("properties", json::object());
    for (const auto& [key, value] : v.items()) {
      const auto at = where + "/" + escape_pointer(key);
      if (auto p = properties.find(key); p != properties.end()) {
        merge(sub(value, *p, at));
      } else if (auto extra = s.find("additionalProperties"); extra != s.end()) {
        if (extra->is_boolean() && !extra->get<bool>())
          fail("property \"" + key + "\" is not allowed");
        else
          merge(sub(value, *extra, at));
      }
    }
    if (s.contains("minProperties") && v.size() < s["minProperties"].get<std::size_t>())
      fail("too few properties");
    if (s.contains("maxProperties") && v.size() > s["maxProperties"].get<std::size_t>())
      fail("too many properties");
  }

  if (v.is_array()) {
    if (auto items = s.find("items"); items != s.end()) {
      if (items->is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i) {
          const auto at = where + "/" + std::to_string(i);
          if (i < items->size())
            merge(sub(v[i], (*items)[i], at));
          else if (s.contains("additionalItems"))
            merge(sub(v[i], s["additionalItems"], at));
        }
      } else {
        for (std::size_t i = 0; i < v.size(); ++i)
          merge(sub(v[i], *items, where + "/" + std::to_string(i)));
      }
    }
    if (s.contains("minItems") && v.size() < s["minItems"].get<std::size_t>())
      fail("too few items");
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<std::size_t>())
      fail("too many items");
    if (s.value("uniqueItems", false)) {
      for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = i + 1; j < v.size(); ++j)
          if (v[i] == v[j]) fail("items are not unique");
    }
  }

  if (v.is_string()) {
    const auto text = v.get<std::string>();
    if (s.contains("minLength") && code_points(text) < s["minLength"].get<std::size_t>())
      fail("shorter than minLength");
    if (s.contains("maxLength") && code_points(text) > s["maxLength"].get<std::size_t>())
      fail("longer than maxLength");
    if (auto p = s.find("pattern"); p != s.end()) {
      const std::regex re(p->get<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(text, re)) fail("does not match pattern " + p->dump());
    }
    if (auto f = s.find("format"); f != s.end() && !format_ok(f->get<std::string>(), text))
      fail("not a valid " + f->get<std::string>());
  }

  if (v.is_number()) {
    const double d = as_double(v);
    if (s.contains("minimum") && d < as_double(s["minimum"])) fail("below minimum");
    if (s.contains("maximum") && d > as_double(s["maximum"])) fail("above maximum");
    if (s.contains("exclusiveMinimum") && d <= as_double(s["exclusiveMinimum"]))
      fail("not above exclusiveMinimum");
    if (s.contains("exclusiveMaximum") && d >= as_double(s["exclusiveMaximum"]))
      fail("not below exclusiveMaximum");
    if (s.contains("multipleOf")) {
      const double q = d / as_double(s["multipleOf"]);
      if (!std::isfinite(q) || std::abs(q - std::round(q)) > 1e-9) fail("not a multiple");
    }
  }

  if (auto all = s.find("allOf"); all != s.end())
    for (const auto& schema : *all)
      merge(sub(v, schema, where));
  if (auto any = s.find("anyOf"); any != s.end()) {
    bool ok = false;
    for (const auto& schema : *any)
      ok = ok || passes(schema);
    if (!ok) fail("matches none of anyOf");
  }
  if (auto one = s.find("oneOf"); one != s.end()) {
    int matched = 0;
    for (const auto& schema : *one)
      matched += passes(schema) ? 1 : 0;
    if (matched != 1) fail("matches " + std::to_string(matched) + " of oneOf, not exactly 1");
  }
  if (auto n = s.find("not"); n != s.end() && passes(*n)) fail("matches the schema in not");
  if (auto cond = s.find("if"); cond != s.end()) {
    const bool holds = passes(*cond);
    if (holds && s.contains("then")) merge(sub(v, s["then"], where));
    if (!holds && s.contains("else")) merge(sub(v, s["else"], where));
  }
}

std::filesystem::path event_schema_dir() {
  return std::filesystem::path(TEW_FIXTURES_DIR).parent_path().parent_path() / "docs" / "events" /
         "schemas";
}

}  // namespace tew::testing

namespace tew::testing {

std::vector<std::string> published_event_violations(const nlohmann::json& event) {
  JsonSchemaValidator validator(event_schema_dir());
  auto errors = validator.validate(event, "cloudevent.v1.schema.json");
  if (!event.is_object() || !event.contains("type") || !event["type"].is_string()) return errors;
  const auto schema = event["type"].get<std::string>() + ".v1.schema.json";
  if (!std::filesystem::exists(event_schema_dir() / schema))
    return {"no schema " + schema + " for the published type"};
  for (auto& e : validator.validate(event.value("data", nlohmann::json{}), schema))
    errors.push_back("data" + e);
  return errors;
}

}  // namespace tew::testing
