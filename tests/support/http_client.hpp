// A blocking HTTP/1.1 client for tests: one keep-alive connection to 127.0.0.1:<port>.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

namespace tew::testing {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;
using Headers = std::initializer_list<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();

  Response get(const std::string& target, Headers headers = {});
  Response post(const std::string& target, std::string body,
                std::string content_type = "application/cloudevents+json", Headers headers = {});
  Response send(http::request<http::string_body> req);

  // Writes raw bytes on the connection (for malformed and slow requests).
  void write_raw(std::string_view bytes);
  // Reads one response; throws on a closed connection.
  Response read_response();
  // True once the server has closed the connection (reads EOF within `wait`).
  bool closed_by_server(std::chrono::milliseconds wait = std::chrono::milliseconds(2000));

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace tew::testing
