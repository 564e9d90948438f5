// The machine's limit for a Dapr subscriber: a bare Beast coroutine server that parses the JSON
// body of every POST and answers SUCCESS, with no validation, no dedup, no metrics; behind daprd
// it is the null app of the end-to-end runs. Usage:
//   tew-bench-bare-server [port]      (default 0: an ephemeral port, printed on stdout)
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "plain_server.hpp"

namespace http = boost::beast::http;

int main(int argc, char** argv) {
  const auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0);
  tew::bench::serve_until_signalled(port, [](const tew::bench::Request& request) {
    // Behind daprd (the end-to-end runs): the null app subscribes to task-events.
    if (request.method() == http::verb::get && request.target() == "/dapr/subscribe")
      return tew::bench::answer(
          http::status::ok,
          R"([{"pubsubname":"pubsub","topic":"task-events","route":"/events/task-events"}])");
    const auto body = nlohmann::json::parse(request.body(), nullptr, false);
    if (body.is_discarded()) return tew::bench::answer(http::status::ok, R"({"status":"DROP"})");
    return tew::bench::answer(http::status::ok, R"({"status":"SUCCESS"})");
  });
}
