// Bounded polling for e2e tests: real processes get ready and deliver asynchronously, so a
// test waits for a condition with a deadline, never for a fixed time.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace tew::e2e {

using namespace std::chrono_literals;

// True as soon as `ready()` is; false once `timeout` has passed without it.
inline bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds every = 50ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (ready()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace tew::e2e
