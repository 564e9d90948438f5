// A null Dapr sidecar for benchmarking the services without daprd: every publish, state write,
// delete and binding call succeeds at once (204) and stores nothing, every state read finds
// nothing (204; a bulk read answers each key without data), health is 204. So a handler runs
// its whole path, with one loopback HTTP round trip per sidecar call. Not a model of daprd (that
// is tests/support/fake_sidecar_server); only for scripts/bench. Usage:
//   tew-bench-null-sidecar [port]     (default 0: an ephemeral port, printed on stdout)
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "plain_server.hpp"

namespace http = boost::beast::http;

namespace {

bool is_bulk_state_read(const tew::bench::Request& request) {
  const std::string_view target = request.target();
  return request.method() == http::verb::post && target.starts_with("/v1.0/state/") &&
         target.ends_with("/bulk");
}

tew::bench::Response answer_bulk_read(const tew::bench::Request& request) {
  const auto body = nlohmann::json::parse(request.body(), nullptr, false);
  auto items = nlohmann::json::array();
  if (body.is_object() && body.contains("keys") && body["keys"].is_array())
    for (const auto& key : body["keys"])
      items.push_back({{"key", key}});
  return tew::bench::answer(http::status::ok, items.dump());
}

}  // namespace

int main(int argc, char** argv) {
  const auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0);
  tew::bench::serve_until_signalled(port, [](const tew::bench::Request& request) {
    if (is_bulk_state_read(request)) return answer_bulk_read(request);
    tew::bench::Response none{http::status::no_content, 11};
    return none;
  });
}
