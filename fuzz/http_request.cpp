// The HTTP request path: the input as raw bytes on one connection of the real HttpServer
// (session loop, Beast's parser, limits, keep-alive, pipelining, 100-continue), whose handler
// is a DaprApp with fakes and a service's kind of routes (http_app.hpp). The bytes go through
// a socket pair, not the network. Invariants: the router never throws, every follow-on publish
// serializes, and the connection always ends once the client has sent everything (a wedged
// session shows up as a libFuzzer timeout).
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "http_app.hpp"
#include "tew/memory_dedup_store.hpp"
#include "tew/metrics.hpp"

namespace {

using namespace tew;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Lives for the whole run: the io_context and the server (its listening socket on 127.0.0.1 is
// never accepted from). Each input gets a fresh app, dedup store and sidecar.
struct Harness {
  asio::io_context io{1};
  testing::FakeClock clock;
  DaprApp* app = nullptr;
  HttpServer server{io, tcp::endpoint(asio::ip::address_v4::loopback(), 0), fuzz::http_limits(),
                    [this](HttpRequest& req) { return handle(req); }};

  asio::awaitable<HttpResponse> handle(HttpRequest& req) {
    try {
      co_return co_await app->handle(req);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "DaprApp::handle threw: %s\n", e.what());
      fuzz::fail("the router never throws", __FILE__, __LINE__);
    }
  }
};

Harness& harness() {
  static Harness h;
  return h;
}

asio::awaitable<void> send_all(tcp::socket& client, std::string_view bytes, bool& done) {
  co_await asio::async_write(client, asio::buffer(bytes.data(), bytes.size()), use_tuple);
  boost::system::error_code ignored;
  client.shutdown(tcp::socket::shutdown_send, ignored);
  done = true;
}

asio::awaitable<void> read_all(tcp::socket& client, bool& done) {
  char chunk[16 * 1024];
  for (;;) {
    auto [ec, n] = co_await client.async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) break;
  }
  done = true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::log_to_nowhere(LogFormat::json);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& h = harness();
  testing::FakeSidecar sidecar(h.clock);
  MemoryDedupStore dedup(h.clock, DedupPolicy{}, 256);
  Metrics metrics;
  DaprApp app({dedup, sidecar, metrics, h.clock}, {"fuzz", "", std::string(fuzz::kToken)});
  fuzz::add_routes(app, sidecar);
  app.mark_started();
  h.app = &app;

  int fds[2];
  TEW_FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  // Asio's stream operations are plain send/recv: a UNIX socket serves as a TCP one.
  tcp::socket server_end(h.io), client(h.io);
  server_end.assign(tcp::v4(), fds[0]);
  client.assign(tcp::v4(), fds[1]);
  h.server.serve(std::move(server_end));

  bool sent = false, drained = false;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  asio::co_spawn(h.io, send_all(client, input, sent), asio::detached);
  asio::co_spawn(h.io, read_all(client, drained), asio::detached);
  h.io.restart();
  h.io.run();
  TEW_FUZZ_CHECK(sent && drained);
  TEW_FUZZ_CHECK(h.server.open_connections() == 0);
  h.app = nullptr;
  return 0;
}
