#include "dapr_http.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <type_traits>
#include <variant>

#include "tew/json.hpp"

namespace tew::dapr_http {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxMessageChars = 300;
// How many keys of one bulk read daprd reads at once (0 would mean all of them at once).
constexpr std::size_t kBulkGetParallelism = 16;

bool has_etag(const std::optional<std::string>& etag) {
  return etag && !etag->empty();
}

// A write whose outcome depends on what is stored: sending it twice could turn its own
// success into a failure, so it is sent again only when it surely never arrived.
bool conditional(const StateWrite& write) {
  return has_etag(write.etag) || write.concurrency == Concurrency::first_write;
}

bool conditional(const StateDelete& del) {
  return has_etag(del.etag);
}

// daprd reads metadata as map[string]string: numbers must be sent as strings.
json write_request(const StateWrite& write) {
  json item = {{"key", write.key},
               {"value", write.value},
               {"options",
                {{"concurrency", concurrency_name(write.concurrency)},
                 {"consistency", consistency_name(write.consistency)}}}};
  if (has_etag(write.etag)) item["etag"] = *write.etag;
  if (write.ttl) item["metadata"] = {{"ttlInSeconds", std::to_string(write.ttl->count())}};
  return item;
}

json delete_request(const StateDelete& del) {
  json item = {{"key", del.key},
               {"options",
                {{"concurrency", concurrency_name(del.concurrency)},
                 {"consistency", consistency_name(Consistency::strong)}}}};
  if (has_etag(del.etag)) item["etag"] = *del.etag;
  return item;
}

// A string holding invalid UTF-8 (say, bytes a handler copied from a binary-mode body) goes
// out with U+FFFD in place of the bad bytes: the default dump() would throw, and a throwing
// publish makes its event a RETRY forever. The replacement is deterministic, so a re-run
// still sends the identical body.
std::string wire_text(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

// wire_text(to_json(event)) without first copying the data into the envelope: the data is
// written after the envelope's members (JSON members have no order; a re-run writes the same
// text).
std::string event_wire_text(const CloudEvent& event) {
  if (!event.data) return wire_text(to_json(event));
  std::string text = wire_text(envelope_json(event));
  text.pop_back();  // the envelope's closing brace; it always has members (specversion, id, ...)
  text += ",\"data\":";
  text += wire_text(*event.data);
  text += '}';
  return text;
}

Request json_post(std::string path, const json& body, RetryPolicy retry) {
  Request request;
  request.method = "POST";
  request.path = std::move(path);
  request.content_type = "application/json";
  request.body = wire_text(body);
  request.retry = retry;
  return request;
}

std::string state_path(std::string_view store) {
  return "/v1.0/state/" + percent_encode(store);
}

std::string_view failure_name(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::not_connected:
      return "could not connect";
    case TransportFailure::timed_out:
      return "timed out";
    case TransportFailure::broken:
      return "connection failed";
    case TransportFailure::client_stopped:
      return "client stopped";
    case TransportFailure::none:
      break;
  }
  return "failed";
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.size() > kMaxMessageChars) return std::string(text.substr(0, kMaxMessageChars)) + "...";
  return std::string(text);
}

std::string string_member(const json& doc, const char* name) {
  const auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::string_view concurrency_name(Concurrency c) {
  return c == Concurrency::first_write ? "first-write" : "last-write";
}

std::string_view consistency_name(Consistency c) {
  return c == Consistency::strong ? "strong" : "eventual";
}

// A complete CloudEvent keeps daprd from wrapping it: our id, source and type reach the topic.
Request publish_request(const PublishRequest& request) {
  Request out;
  out.method = "POST";
  out.path =
      "/v1.0/publish/" + percent_encode(request.pubsub) + "/" + percent_encode(request.topic);
  for (const auto& [name, value] : request.metadata) {
    if (!out.query.empty()) out.query += '&';
    out.query += "metadata." + percent_encode(name) + "=" + percent_encode(value);
  }
  out.content_type = "application/cloudevents+json";
  out.body = event_wire_text(request.event);
  if (!request.traceparent.empty()) out.headers.emplace_back("traceparent", request.traceparent);
  return out;
}

Request get_state_request(std::string_view store, std::string_view key) {
  Request request;
  request.method = "GET";
  request.path = state_path(store) + "/" + percent_encode(key);
  return request;
}

Request save_state_request(std::string_view store, const std::vector<StateWrite>& items) {
  json body = json::array();
  bool any_conditional = false;
  for (const auto& item : items) {
    body.push_back(write_request(item));
    any_conditional = any_conditional || conditional(item);
  }
  return json_post(state_path(store), body,
                   any_conditional ? RetryPolicy::on_connect_failure : RetryPolicy::on_failure);
}

// A read: sent again after any failure, like a single GET.
Request bulk_get_state_request(std::string_view store, const std::vector<std::string>& keys) {
  const json body = {
      {"keys", keys},
      {"parallelism", std::max<std::size_t>(1, std::min(keys.size(), kBulkGetParallelism))}};
  return json_post(state_path(store) + "/bulk", body, RetryPolicy::on_failure);
}

// The ETag goes in If-Match; concurrency and consistency are query parameters.
Request delete_state_request(std::string_view store, const StateDelete& item) {
  Request request;
  request.method = "DELETE";
  request.path = state_path(store) + "/" + percent_encode(item.key);
  request.query = "concurrency=" + std::string(concurrency_name(item.concurrency)) +
                  "&consistency=" + std::string(consistency_name(Consistency::strong));
  if (has_etag(item.etag)) request.headers.emplace_back("If-Match", *item.etag);
  request.retry = conditional(item) ? RetryPolicy::on_connect_failure : RetryPolicy::on_failure;
  return request;
}

Request transact_request(std::string_view store, const std::vector<StateOperation>& ops) {
  json operations = json::array();
  bool any_conditional = false;
  for (const auto& op : ops) {
    std::visit(
        [&](const auto& o) {
          if constexpr (std::is_same_v<std::decay_t<decltype(o)>, StateWrite>) {
            operations.push_back({{"operation", "upsert"}, {"request", write_request(o)}});
          } else {
            operations.push_back({{"operation", "delete"}, {"request", delete_request(o)}});
          }
          any_conditional = any_conditional || conditional(o);
        },
        op);
  }
  const json body = {{"operations", std::move(operations)}};
  return json_post(state_path(store) + "/transaction", body,
                   any_conditional ? RetryPolicy::on_connect_failure : RetryPolicy::on_failure);
}

Request binding_request(const BindingRequest& request) {
  const json body = {
      {"data", request.data}, {"metadata", request.metadata}, {"operation", request.operation}};
  return json_post("/v1.0/bindings/" + percent_encode(request.name), body, RetryPolicy::on_failure);
}

// The outbound probe: ready for our calls, whether or not daprd has reached the app yet.
Request health_request() {
  Request request;
  request.method = "GET";
  request.path = "/v1.0/healthz/outbound";
  request.retry = RetryPolicy::never;
  return request;
}

bool succeeded(const Answer& answer) {
  return answer.failure == TransportFailure::none && answer.status >= 200 && answer.status < 300;
}

bool retryable(const Answer& answer, RetryPolicy policy) {
  switch (policy) {
    case RetryPolicy::never:
      return false;
    case RetryPolicy::on_connect_failure:
      return answer.failure == TransportFailure::not_connected;
    case RetryPolicy::on_failure:
      if (answer.failure == TransportFailure::none) return answer.status >= 500;
      return answer.failure != TransportFailure::client_stopped;
  }
  return false;
}

Error to_error(const Request& request, const Answer& answer, int attempts) {
  Error error;
  error.subject = request.subject();
  const std::string tries =
      attempts > 1 ? " (after " + std::to_string(attempts) + " attempts)" : std::string{};
  if (answer.failure != TransportFailure::none) {
    error.kind = ErrorKind::unavailable;
    error.message =
        std::string(failure_name(answer.failure)) + ": " + answer.failure_detail + tries;
    return error;
  }

  error.http_status = answer.status;
  if (answer.status == 409) {
    error.kind = ErrorKind::conflict;
  } else if (answer.status >= 500) {
    error.kind = ErrorKind::unavailable;
  } else {
    error.kind = ErrorKind::rejected;
  }
  std::string detail = trimmed(answer.body);
  if (auto doc = parse_json(answer.body); doc && doc->is_object()) {
    error.code = string_member(*doc, "errorCode");
    if (auto message = string_member(*doc, "message"); !message.empty()) detail = trimmed(message);
  }
  error.message = "HTTP " + std::to_string(answer.status);
  if (!error.code.empty()) error.message += " " + error.code;
  if (!detail.empty()) error.message += ": " + detail;
  error.message += tries;
  return error;
}

Result<StateItem> to_state_item(const Request& request, std::string key, const Answer& answer) {
  if (answer.status == 204 || answer.body.empty()) return StateItem{std::move(key), {}, {}};
  auto value = parse_json(answer.body, request.subject());
  if (!value) return value.error();  // not our JSON: retrying cannot help
  return StateItem{std::move(key), std::move(*value), answer.etag};
}

Result<std::vector<StateItem>> to_state_items(const Request& request,
                                              const std::vector<std::string>& keys,
                                              const Answer& answer) {
  const auto malformed = [&request](std::string why) {
    return Error{ErrorKind::unavailable, request.subject(), "unexpected answer: " + why, 0, {}};
  };
  auto doc = parse_json(answer.body, request.subject());
  if (!doc) return doc.error();
  if (!doc->is_array()) return malformed("not an array");

  std::map<std::string, StateItem, std::less<>> found;
  for (auto& entry : *doc) {
    if (!entry.is_object()) return malformed("an item is not an object");
    auto key = string_member(entry, "key");
    if (const auto error = string_member(entry, "error"); !error.empty())
      return Error{
          ErrorKind::unavailable, request.subject(), "key " + key + ": " + trimmed(error), 0, {}};
    StateItem item{key, {}, string_member(entry, "etag")};
    if (const auto data = entry.find("data"); data != entry.end() && !data->is_null())
      item.value = std::move(*data);
    found.insert_or_assign(std::move(key), std::move(item));
  }
  std::vector<StateItem> items;
  items.reserve(keys.size());
  for (const auto& key : keys) {
    const auto it = found.find(key);
    if (it == found.end()) return malformed("no item for key " + key);
    items.push_back(it->second);
  }
  return items;
}

}  // namespace tew::dapr_http
