#include "http_answers.hpp"

namespace tew {

HttpResponse text_answer(const HttpRequest& req, http::status status, std::string body) {
  HttpResponse res{status, req.version()};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse json_answer(const HttpRequest& req, http::status status, const nlohmann::json& body) {
  HttpResponse res{status, req.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

HttpResponse status_answer(const HttpRequest& req, Status status) {
  HttpResponse res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  switch (status) {
    case Status::success:
      res.body() = R"({"status":"SUCCESS"})";
      break;
    case Status::retry:
      res.body() = R"({"status":"RETRY"})";
      break;
    case Status::drop:
      res.body() = R"({"status":"DROP"})";
      break;
  }
  res.prepare_payload();
  return res;
}

bool tokens_equal(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

}  // namespace tew
