#include "http_answers.hpp"

#include <doctest/doctest.h>

using tew::http::field;
using tew::http::status;

namespace {

tew::HttpRequest request(bool keep_alive) {
  tew::HttpRequest req{tew::http::verb::post, "/r", 11};
  req.keep_alive(keep_alive);
  return req;
}

}  // namespace

TEST_CASE("a status answer is HTTP 200 with daprd's status body") {
  const auto req = request(true);
  for (const auto& [s, body] : {std::pair{tew::Status::success, R"({"status":"SUCCESS"})"},
                                std::pair{tew::Status::retry, R"({"status":"RETRY"})"},
                                std::pair{tew::Status::drop, R"({"status":"DROP"})"}}) {
    const auto res = tew::status_answer(req, s);
    CHECK(res.result() == status::ok);
    CHECK(res[field::content_type] == "application/json");
    CHECK(res.body() == body);
    CHECK(res[field::content_length] == std::to_string(res.body().size()));
  }
}

TEST_CASE("answers keep the connection open only when the request asked for it") {
  CHECK(tew::status_answer(request(true), tew::Status::success).keep_alive());
  CHECK_FALSE(tew::status_answer(request(false), tew::Status::success).keep_alive());
  CHECK_FALSE(tew::text_answer(request(false), status::not_found, "x").keep_alive());
  CHECK_FALSE(tew::json_answer(request(false), status::ok, {}).keep_alive());
}

TEST_CASE("a text answer is plain UTF-8 text with its status") {
  const auto res = tew::text_answer(request(true), status::not_found, "no route\n");
  CHECK(res.result() == status::not_found);
  CHECK(res[field::content_type] == "text/plain; charset=utf-8");
  CHECK(res.body() == "no route\n");
}

TEST_CASE("a JSON answer replaces invalid UTF-8 instead of throwing") {
  const auto res =
      tew::json_answer(request(true), status::service_unavailable, {{"error", "bad \xff byte"}});
  CHECK(res.result() == status::service_unavailable);
  CHECK(res[field::content_type] == "application/json");
  CHECK(res.body() == "{\"error\":\"bad \xef\xbf\xbd byte\"}");
}

TEST_CASE("tokens are equal only when they match byte for byte, length included") {
  CHECK(tew::tokens_equal("s3cret", "s3cret"));
  CHECK_FALSE(tew::tokens_equal("s3creT", "s3cret"));
  CHECK_FALSE(tew::tokens_equal("", "s3cret"));
  CHECK_FALSE(tew::tokens_equal("s3cre", "s3cret"));
  CHECK_FALSE(tew::tokens_equal("s3cret!", "s3cret"));
  CHECK_FALSE(tew::tokens_equal(std::string("s3cret\0", 7), "s3cret"));
  CHECK_FALSE(tew::tokens_equal("xs3cret", "s3cret"));
}
