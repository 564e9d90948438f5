// daprd's HTTP API as FakeSidecarServer speaks it: request targets, the state JSON daprd
// accepts (as strictly as daprd), and its answers: {"errorCode","message"} bodies with daprd's
// codes and message prefixes. No sockets here; the server puts them around it.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tew/sidecar.hpp"

namespace tew::testing::fake_dapr {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Percent-decoding; in a query '+' also stands for a space (as Go's url.ParseQuery reads it).
std::string percent_decode(std::string_view text, bool plus_is_space = false);

struct Target {
  std::string path;                           // as sent, percent-encoded
  std::string query;                          // as sent, without '?'
  std::vector<std::string> segments;          // of the path, each decoded
  std::map<std::string, std::string> params;  // of the query, decoded; the last one wins
};
Target parse_target(std::string_view target);

// One item of the save array or the request of a transaction upsert: key, value, etag,
// options {concurrency, consistency}, metadata {ttlInSeconds} (all metadata values strings).
Result<StateWrite> parse_state_write(const nlohmann::json& item);
Result<std::vector<StateWrite>> parse_state_writes(std::string_view body);
Result<std::vector<StateOperation>> parse_transaction(std::string_view body);
// The keys of a bulk get, {"keys":[...],"parallelism":n} (parallelism optional, an integer).
Result<std::vector<std::string>> parse_bulk_get(std::string_view body);
// DELETE: ETag from If-Match, `concurrency` from the query.
Result<StateDelete> parse_state_delete(const HttpRequest& req, const Target& target,
                                       std::string key);

HttpResponse empty_answer(http::status status, const HttpRequest& req);
HttpResponse json_answer(http::status status, std::string body, const HttpRequest& req);
HttpResponse text_answer(http::status status, std::string body, const HttpRequest& req);
// {"errorCode": code, "message": message}
HttpResponse error_answer(int status, std::string_view code, std::string_view message,
                          const HttpRequest& req);
// A FakeStateStore error as daprd answers it: its status and errorCode, daprd's message
// prefix for the operation ("failed saving state in state store <store>: ...").
HttpResponse save_error_answer(const Error& error, std::string_view store, const HttpRequest& req);
HttpResponse delete_error_answer(const Error& error, std::string_view key, const HttpRequest& req);
// daprd answers every failed transaction 500 ERR_STATE_TRANSACTION, ETag mismatches too.
HttpResponse transaction_error_answer(const Error& error, const HttpRequest& req);
// 400 ERR_MALFORMED_REQUEST for a body daprd could not decode.
HttpResponse malformed_answer(const Error& error, const HttpRequest& req);

}  // namespace tew::testing::fake_dapr
