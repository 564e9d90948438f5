// Runs one coroutine to completion on a private io_context, for tests of awaitable APIs.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <utility>

namespace tew::testing {

template <class T>
T run_awaitable(boost::asio::awaitable<T> op) {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  auto result = boost::asio::co_spawn(
      io,
      [&guard, op = std::move(op)]() mutable -> boost::asio::awaitable<T> {
        struct Release {
          decltype(guard)& g;
          ~Release() { g.reset(); }
        } release{guard};
        co_return co_await std::move(op);
      },
      boost::asio::use_future);
  io.run();
  return result.get();
}

// Runs one coroutine to completion on `io`, which keeps what else it holds (such as a client's
// open connections and their waits) for the next call: for objects bound to an io_context.
template <class T>
T run_awaitable(boost::asio::io_context& io, boost::asio::awaitable<T> op) {
  auto result = boost::asio::co_spawn(io, std::move(op), boost::asio::use_future);
  io.restart();
  while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    if (io.run_one() == 0) io.restart();
  return result.get();
}

}  // namespace tew::testing
