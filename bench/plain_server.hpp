// The smallest keep-alive HTTP/1.1 server the benchmarks' stand-ins need (the bare limit
// server, the null sidecar): Beast's awaitable session loop on one thread, loopback only.
#pragma once

#include <boost/beast/http.hpp>
#include <cstdint>
#include <functional>

namespace tew::bench {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&)>;

// Listens on 127.0.0.1:`port` (0: an ephemeral port), prints "listening on <port>" on stdout,
// and serves every connection with `handler` on one thread until SIGINT or SIGTERM.
void serve_until_signalled(std::uint16_t port, const Handler& handler);

// A response with a body and its Content-Type.
Response answer(boost::beast::http::status status, std::string body,
                std::string_view content_type = "application/json");

}  // namespace tew::bench
