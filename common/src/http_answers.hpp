// How the app answers over HTTP: daprd's status bodies, JSON and text answers, and the
// constant-time check of the app API token.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tew/http_server.hpp"
#include "tew/outcome.hpp"

namespace tew {

HttpResponse text_answer(const HttpRequest& req, http::status status, std::string body);
HttpResponse json_answer(const HttpRequest& req, http::status status, const nlohmann::json& body);
// HTTP 200 with {"status":"SUCCESS"|"RETRY"|"DROP"}: what daprd reads for a topic delivery.
HttpResponse status_answer(const HttpRequest& req, Status status);

// Compares in time that depends only on the expected token's length, not on where the
// given one differs, so the token cannot be guessed byte by byte.
bool tokens_equal(std::string_view given, std::string_view expected);

}  // namespace tew
