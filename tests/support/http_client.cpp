#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

namespace tew::testing {

namespace asio = boost::asio;

HttpClient::HttpClient(std::uint16_t port) : socket_(io_) {
  socket_.connect({asio::ip::make_address("127.0.0.1"), port});
}

HttpClient::~HttpClient() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

Response HttpClient::get(const std::string& target, Headers headers) {
  http::request<http::string_body> req{http::verb::get, target, 11};
  for (const auto& [k, v] : headers)
    req.set(k, v);
  return send(std::move(req));
}

Response HttpClient::post(const std::string& target, std::string body, std::string content_type,
                          Headers headers) {
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::content_type, content_type);
  for (const auto& [k, v] : headers)
    req.set(k, v);
  req.body() = std::move(body);
  return send(std::move(req));
}

Response HttpClient::send(http::request<http::string_body> req) {
  req.set(http::field::host, "127.0.0.1");
  req.prepare_payload();
  http::write(socket_, req);
  return read_response();
}

void HttpClient::write_raw(std::string_view bytes) {
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()));
}

Response HttpClient::read_response() {
  Response res;
  http::read(socket_, buffer_, res);
  return res;
}

bool HttpClient::closed_by_server(std::chrono::milliseconds wait) {
  socket_.non_blocking(true);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  char byte;
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    socket_.non_blocking(false);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  socket_.non_blocking(false);
  return false;
}

}  // namespace tew::testing
