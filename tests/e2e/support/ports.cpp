#include "ports.hpp"

#include <mutex>
#include <set>
#include <stdexcept>

#include "child_process.hpp"

namespace tew::e2e {

std::uint16_t unique_port() {
  static std::mutex mutex;
  static std::set<std::uint16_t> handed_out;
  std::lock_guard lock(mutex);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto port = testing::free_port();
    if (handed_out.insert(port).second) return port;
  }
  throw std::runtime_error("no unused free port after 100 attempts");
}

}  // namespace tew::e2e
