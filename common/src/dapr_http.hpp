// daprd's HTTP API as data: the request each Sidecar call sends, and what each answer means.
// Pure functions, so the wire format is tested without sockets; curl_sidecar.cpp sends them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tew/sidecar.hpp"

namespace tew::dapr_http {

// Which failed attempts may be sent again without changing what the request means.
enum class RetryPolicy {
  on_failure,          // connection failures, timeouts, 5xx
  on_connect_failure,  // only when the request was never sent: conditional state writes
  never,               // health probes: the caller polls
};

struct Request {
  std::string method;        // GET, POST, DELETE
  std::string path;          // percent-encoded, e.g. /v1.0/state/statestore/a%7Cb
  std::string query;         // without '?'; empty when none
  std::string content_type;  // empty when there is no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and token
  RetryPolicy retry = RetryPolicy::on_failure;

  // "POST /v1.0/state/statestore": names the request in errors and logs (no query, no token).
  std::string subject() const { return method + " " + path; }
  // Path and query, as appended to the base URL.
  std::string target() const { return query.empty() ? path : path + "?" + query; }
};

// How an attempt ended when no HTTP answer came back.
enum class TransportFailure {
  none,
  not_connected,   // the request was never sent: name resolution or connect failed
  timed_out,       // the attempt ran out of time; the request may have been handled
  broken,          // the connection failed mid-request; it may have been handled
  client_stopped,  // CurlSidecar::stop() ran; nothing was sent
};

struct Answer {
  TransportFailure failure = TransportFailure::none;
  std::string failure_detail;  // libcurl's words for the failure
  int status = 0;
  std::string body;
  std::string etag;  // the ETag response header, empty when absent
};

// RFC 3986: every byte but the unreserved characters (A-Z a-z 0-9 - . _ ~) as %XX.
std::string percent_encode(std::string_view text);

std::string_view concurrency_name(Concurrency c);  // "first-write" / "last-write"
std::string_view consistency_name(Consistency c);  // "strong" / "eventual"

Request publish_request(const PublishRequest& request);
Request get_state_request(std::string_view store, std::string_view key);
// {"keys":[...],"parallelism":n}: daprd reads the keys concurrently, at most n at a time.
Request bulk_get_state_request(std::string_view store, const std::vector<std::string>& keys);
Request save_state_request(std::string_view store, const std::vector<StateWrite>& items);
Request delete_state_request(std::string_view store, const StateDelete& item);
Request transact_request(std::string_view store, const std::vector<StateOperation>& ops);
Request binding_request(const BindingRequest& request);
Request health_request();

bool succeeded(const Answer& answer);  // a 2xx answer
bool retryable(const Answer& answer, RetryPolicy policy);

// The error for an answer that did not succeed, after `attempts` attempts: unavailable for
// transport failures and 5xx, conflict for 409, rejected for any other status; daprd's
// {"errorCode","message"} body fills Error::code and the message.
Error to_error(const Request& request, const Answer& answer, int attempts);

// A successful GET state answer: 204 or an empty body means the key does not exist.
Result<StateItem> to_state_item(const Request& request, std::string key, const Answer& answer);

// A successful bulk GET answer, `[{"key","data","etag","error"}]` in any order, as one item per
// requested key in the order of `keys`: no `data` means the key does not exist. An `error` on
// a key, a key missing from the answer or an answer that is not such an array is an error.
Result<std::vector<StateItem>> to_state_items(const Request& request,
                                              const std::vector<std::string>& keys,
                                              const Answer& answer);

}  // namespace tew::dapr_http
