// The webhook channel's transport: one HTTP POST and its answer. An interface, so the channel
// is tested against a fake and runs on CurlHttpDelivery.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "tew/error.hpp"

namespace tew::notification {

namespace asio = boost::asio;

struct HttpPost {
  std::string url;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::chrono::milliseconds timeout{5000};                   // the whole exchange
};

struct HttpAnswer {
  int status = 0;
  std::string body;  // at most kMaxAnswerBytes of it
};

inline constexpr std::size_t kMaxAnswerBytes = 16 * 1024;

// An answer of any status is a value; no answer at all (no connection, a timeout, a broken
// connection) is ErrorKind::unavailable whose message says which.
class HttpDelivery {
 public:
  virtual ~HttpDelivery() = default;
  virtual asio::awaitable<Result<HttpAnswer>> post(const HttpPost& request) = 0;
};

}  // namespace tew::notification
