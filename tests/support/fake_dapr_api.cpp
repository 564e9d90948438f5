#include "fake_dapr_api.hpp"

#include <boost/beast/http/field.hpp>
#include <charconv>
#include <optional>

namespace tew::testing::fake_dapr {

namespace {

using nlohmann::json;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

Result<json> parse_body(std::string_view body) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Error::invalid("body", "not JSON");
  return Result<json>(boost::system::in_place_value, std::move(doc));
}

// A string member, or nullopt when absent or null; an error when it has another type.
Result<std::optional<std::string>> optional_string(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return Error::invalid(name, "not a string");
  return std::optional<std::string>{it->get<std::string>()};
}

Result<Concurrency> parse_concurrency(const std::optional<std::string>& name) {
  if (!name || name->empty() || *name == "last-write") return Concurrency::last_write;
  if (*name == "first-write") return Concurrency::first_write;
  return Error::invalid("concurrency", "unknown value " + *name);
}

Result<Consistency> parse_consistency(const std::optional<std::string>& name) {
  if (!name || name->empty() || *name == "eventual") return Consistency::eventual;
  if (*name == "strong") return Consistency::strong;
  return Error::invalid("consistency", "unknown value " + *name);
}

// daprd decodes metadata as map[string]string: a number there fails the whole request.
Result<std::optional<std::chrono::seconds>> parse_ttl(const json& item) {
  const auto metadata = item.find("metadata");
  if (metadata == item.end() || metadata->is_null()) return std::optional<std::chrono::seconds>{};
  if (!metadata->is_object()) return Error::invalid("metadata", "not an object");
  for (const auto& [name, value] : metadata->items())
    if (!value.is_string()) return Error::invalid("metadata." + name, "not a string");
  const auto ttl = metadata->find("ttlInSeconds");
  if (ttl == metadata->end()) return std::optional<std::chrono::seconds>{};
  const auto text = ttl->get<std::string>();
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size())
    return Error::invalid("metadata.ttlInSeconds", "not an integer: " + text);
  return std::optional<std::chrono::seconds>{std::chrono::seconds(seconds)};
}

struct Options {
  Concurrency concurrency = Concurrency::last_write;
  Consistency consistency = Consistency::eventual;
};

Result<Options> parse_options(const json& item) {
  const auto options = item.find("options");
  if (options == item.end() || options->is_null()) return Options{};
  if (!options->is_object()) return Error::invalid("options", "not an object");
  auto concurrency_name = optional_string(*options, "concurrency");
  if (!concurrency_name) return concurrency_name.error();
  auto consistency_name = optional_string(*options, "consistency");
  if (!consistency_name) return consistency_name.error();
  auto concurrency = parse_concurrency(*concurrency_name);
  if (!concurrency) return concurrency.error();
  auto consistency = parse_consistency(*consistency_name);
  if (!consistency) return consistency.error();
  return Options{*concurrency, *consistency};
}

Result<std::string> parse_key(const json& item) {
  const auto key = item.find("key");
  if (key == item.end() || !key->is_string() || key->get<std::string>().empty())
    return Error::invalid("key", "missing or not a string");
  return key->get<std::string>();
}

Result<StateDelete> parse_delete_request(const json& item) {
  if (!item.is_object()) return Error::invalid("request", "not an object");
  auto key = parse_key(item);
  if (!key) return key.error();
  auto etag = optional_string(item, "etag");
  if (!etag) return etag.error();
  auto options = parse_options(item);
  if (!options) return options.error();
  return StateDelete{std::move(*key), std::move(*etag), options->concurrency};
}

HttpResponse answer(http::status status, const HttpRequest& req) {
  HttpResponse res{status, req.version()};
  res.keep_alive(req.keep_alive());
  return res;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int high = hex_digit(text[i + 1]);
      const int low = hex_digit(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

Target parse_target(std::string_view target) {
  Target out;
  const auto question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) out.query = std::string(target.substr(question + 1));
  for (const auto segment : split(out.path, '/'))
    if (!segment.empty()) out.segments.push_back(percent_decode(segment));
  if (!out.query.empty()) {
    for (const auto pair : split(out.query, '&')) {
      const auto equals = pair.find('=');
      const auto value =
          equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
      out.params[percent_decode(pair.substr(0, equals), true)] = percent_decode(value, true);
    }
  }
  return out;
}

Result<StateWrite> parse_state_write(const json& item) {
  if (!item.is_object()) return Error::invalid("item", "not an object");
  auto key = parse_key(item);
  if (!key) return key.error();
  auto etag = optional_string(item, "etag");
  if (!etag) return etag.error();
  auto options = parse_options(item);
  if (!options) return options.error();
  auto ttl = parse_ttl(item);
  if (!ttl) return ttl.error();
  StateWrite write;
  write.key = std::move(*key);
  write.value = item.value("value", json());
  write.etag = std::move(*etag);
  write.concurrency = options->concurrency;
  write.consistency = options->consistency;
  write.ttl = *ttl;
  return write;
}

Result<std::vector<StateWrite>> parse_state_writes(std::string_view body) {
  auto doc = parse_body(body);
  if (!doc) return doc.error();
  if (!doc->is_array()) return Error::invalid("body", "not an array of state items");
  std::vector<StateWrite> writes;
  for (const auto& item : *doc) {
    auto write = parse_state_write(item);
    if (!write) return write.error();
    writes.push_back(std::move(*write));
  }
  return writes;
}

Result<std::vector<StateOperation>> parse_transaction(std::string_view body) {
  auto doc = parse_body(body);
  if (!doc) return doc.error();
  const auto operations = doc->is_object() ? doc->find("operations") : doc->end();
  if (!doc->is_object() || operations == doc->end() || !operations->is_array())
    return Error::invalid("operations", "missing or not an array");
  std::vector<StateOperation> ops;
  for (const auto& op : *operations) {
    if (!op.is_object()) return Error::invalid("operation", "not an object");
    const auto kind = op.value("operation", std::string{});
    const auto request = op.find("request");
    if (request == op.end()) return Error::invalid("request", "missing");
    if (kind == "upsert") {
      auto write = parse_state_write(*request);
      if (!write) return write.error();
      ops.emplace_back(std::move(*write));
    } else if (kind == "delete") {
      auto del = parse_delete_request(*request);
      if (!del) return del.error();
      ops.emplace_back(std::move(*del));
    } else {
      return Error{ErrorKind::rejected, "operation", "operation type " + kind + " not supported",
                   400, "ERR_NOT_SUPPORTED_STATE_OPERATION"};
    }
  }
  return ops;
}

Result<std::vector<std::string>> parse_bulk_get(std::string_view body) {
  auto doc = parse_body(body);
  if (!doc) return doc.error();
  const auto keys = doc->is_object() ? doc->find("keys") : doc->end();
  if (!doc->is_object() || keys == doc->end() || !keys->is_array())
    return Error::invalid("keys", "missing or not an array");
  if (const auto p = doc->find("parallelism"); p != doc->end() && !p->is_number_integer())
    return Error::invalid("parallelism", "not an integer");
  std::vector<std::string> out;
  for (const auto& key : *keys) {
    if (!key.is_string()) return Error::invalid("keys", "not an array of strings");
    out.push_back(key.get<std::string>());
  }
  return out;
}

Result<StateDelete> parse_state_delete(const HttpRequest& req, const Target& target,
                                       std::string key) {
  const auto concurrency_param = target.params.find("concurrency");
  auto concurrency = parse_concurrency(concurrency_param == target.params.end()
                                           ? std::nullopt
                                           : std::optional<std::string>(concurrency_param->second));
  if (!concurrency) return concurrency.error();
  StateDelete del;
  del.key = std::move(key);
  if (const auto it = req.find(http::field::if_match); it != req.end())
    del.etag = std::string(it->value());
  del.concurrency = *concurrency;
  return del;
}

HttpResponse empty_answer(http::status status, const HttpRequest& req) {
  auto res = answer(status, req);
  res.prepare_payload();
  return res;
}

HttpResponse json_answer(http::status status, std::string body, const HttpRequest& req) {
  auto res = answer(status, req);
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse text_answer(http::status status, std::string body, const HttpRequest& req) {
  auto res = answer(status, req);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse error_answer(int status, std::string_view code, std::string_view message,
                          const HttpRequest& req) {
  const json body = {{"errorCode", code}, {"message", message}};
  return json_answer(static_cast<http::status>(status), body.dump(), req);
}

HttpResponse save_error_answer(const Error& error, std::string_view store, const HttpRequest& req) {
  return error_answer(
      error.http_status != 0 ? error.http_status : 500,
      error.code.empty() ? "ERR_STATE_SAVE" : error.code,
      "failed saving state in state store " + std::string(store) + ": " + error.message, req);
}

HttpResponse delete_error_answer(const Error& error, std::string_view key, const HttpRequest& req) {
  return error_answer(error.http_status != 0 ? error.http_status : 500,
                      error.code.empty() ? "ERR_STATE_DELETE" : error.code,
                      "failed deleting state with key " + std::string(key) + ": " + error.message,
                      req);
}

HttpResponse transaction_error_answer(const Error& error, const HttpRequest& req) {
  return error_answer(500, "ERR_STATE_TRANSACTION",
                      "error while executing state transaction: " + error.message, req);
}

HttpResponse malformed_answer(const Error& error, const HttpRequest& req) {
  return error_answer(error.http_status != 0 ? error.http_status : 400,
                      error.code.empty() ? "ERR_MALFORMED_REQUEST" : error.code, error.describe(),
                      req);
}

}  // namespace tew::testing::fake_dapr
