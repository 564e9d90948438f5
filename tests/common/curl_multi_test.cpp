// CurlMulti: libcurl's multi interface on an io_context, against a real HTTP server on
// 127.0.0.1: transfers complete on the io_context's thread, run side by side, reuse handles
// and connections, and a multi destroyed with a transfer in flight leaves nothing behind.
#include "curl_multi.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <thread>

#include "fake_clock.hpp"
#include "fake_sidecar_server.hpp"
#include "run_awaitable.hpp"

using namespace std::chrono_literals;
using tew::CurlMulti;
using tew::testing::FakeClock;
using tew::testing::FakeSidecarServer;
using tew::testing::run_awaitable;

namespace {

struct Fixture {
  Fixture() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    server.start();
  }

  // A GET of the sidecar's health route on `easy`; its status after the transfer.
  boost::asio::awaitable<long> get_health(CurlMulti& multi) {
    const auto easy = multi.easy();
    const auto url = server.base_url() + "/v1.0/healthz";
    curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, 5000L);
    const auto code = co_await multi.perform(easy);
    long status = 0;
    if (code == CURLE_OK) curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
    co_return status;
  }

  FakeClock clock;
  FakeSidecarServer server{clock};
  boost::asio::io_context io;
};

}  // namespace

TEST_SUITE("CurlMulti") {
  TEST_CASE_FIXTURE(Fixture, "a transfer completes on the io_context's thread") {
    CurlMulti multi(io.get_executor(), 4);
    const auto caller = std::this_thread::get_id();
    bool on_caller = false;
    const auto status = run_awaitable(io, [&]() -> boost::asio::awaitable<long> {
      const auto s = co_await get_health(multi);
      on_caller = std::this_thread::get_id() == caller;
      co_return s;
    }());
    CHECK(status == 204);
    CHECK(on_caller);
    CHECK(multi.in_flight() == 0);
  }

  TEST_CASE_FIXTURE(Fixture, "transfers one after another reuse one connection") {
    CurlMulti multi(io.get_executor(), 4);
    for (int i = 0; i < 5; ++i)
      CHECK(run_awaitable(io, get_health(multi)) == 204);
    CHECK(server.connections_accepted() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "transfers side by side all finish, within the connection limit") {
    CurlMulti multi(io.get_executor(), 2);
    server.delay_next(6, 30ms);
    int finished = 0;
    int ok = 0;
    for (int i = 0; i < 6; ++i)
      boost::asio::co_spawn(
          io,
          [&]() -> boost::asio::awaitable<void> {
            if (co_await get_health(multi) == 204) ++ok;
            ++finished;
          },
          boost::asio::detached);
    while (finished < 6 && io.run_one() > 0) {
    }
    CHECK(ok == 6);
    CHECK(server.connections_accepted() <= 2);
  }

  TEST_CASE_FIXTURE(Fixture, "a connection refused ends the transfer with its error") {
    CurlMulti multi(io.get_executor(), 4);
    const auto port = server.port();
    server.stop();
    const auto code = run_awaitable(io, [&]() -> boost::asio::awaitable<CURLcode> {
      const auto easy = multi.easy();
      const auto url = "http://127.0.0.1:" + std::to_string(port) + "/";
      curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
      co_return co_await multi.perform(easy);
    }());
    CHECK(code == CURLE_COULDNT_CONNECT);
  }

  TEST_CASE_FIXTURE(Fixture, "a multi destroyed with a transfer in flight leaves it behind") {
    server.delay_next(1, 5s);
    bool finished = false;
    {
      CurlMulti multi(io.get_executor(), 4);
      boost::asio::co_spawn(
          io,
          [&]() -> boost::asio::awaitable<void> {
            co_await get_health(multi);
            finished = true;
          },
          boost::asio::detached);
      for (int i = 0; i < 50 && server.request_count() == 0; ++i)
        io.run_for(10ms);
      REQUIRE(server.request_count() == 1);
      CHECK(multi.in_flight() == 1);
    }
    io.run_for(50ms);  // the waits of the closed sockets end; the frame stays suspended
    CHECK_FALSE(finished);
  }
}
