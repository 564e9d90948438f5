// The input format of the cloud_event fuzz target, shared with the seed generator: header
// lines "name: value", an empty line, then the body ("\n" line ends). Without an empty line
// the whole input is the body and there are no headers.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tew::fuzz {

struct Message {
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
};

inline Message split_message(std::string_view input) {
  Message m;
  const auto end = input.find("\n\n");
  if (end == std::string_view::npos) {
    m.body = input;
    return m;
  }
  m.body = input.substr(end + 2);
  auto block = input.substr(0, end);
  while (!block.empty()) {
    const auto eol = block.find('\n');
    const auto line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto value = line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    m.headers.emplace_back(line.substr(0, colon), value);
  }
  return m;
}

inline std::string join_message(const std::vector<std::pair<std::string, std::string>>& headers,
                                std::string_view body) {
  std::string out;
  for (const auto& [name, value] : headers)
    out += name + ": " + value + "\n";
  out += "\n";
  out += body;
  return out;
}

}  // namespace tew::fuzz
