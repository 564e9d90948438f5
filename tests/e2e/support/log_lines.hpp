// Counting what a process logged: e2e tests read the apps' text logs (LOG_FORMAT=text) to see
// how often an event was handled, retried or recognised as a duplicate.
#pragma once

#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>

namespace tew::e2e {

// Lines of `log` that contain every one of `parts`.
inline std::size_t count_lines(const std::string& log,
                               std::initializer_list<std::string_view> parts) {
  std::istringstream in(log);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto p : parts)
      all = all && line.find(p) != std::string::npos;
    n += all ? 1 : 0;
  }
  return n;
}

}  // namespace tew::e2e
