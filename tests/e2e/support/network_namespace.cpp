#include "network_namespace.hpp"

#include <arpa/inet.h>
#include <net/if.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tew::e2e {

namespace {

// /proc/net/tcp prints an IPv4 address as one little-endian hex word; tcp6 as four.
std::string decode_address(const std::string& hex) {
  if (hex.size() == 8) {
    in_addr a{};
    a.s_addr = static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16));
    std::array<char, INET_ADDRSTRLEN> text{};
    inet_ntop(AF_INET, &a, text.data(), text.size());
    return text.data();
  }
  in6_addr a{};
  for (int word = 0; word < 4; ++word) {
    const auto v = static_cast<std::uint32_t>(std::stoul(hex.substr(word * 8, 8), nullptr, 16));
    std::memcpy(&a.s6_addr[word * 4], &v, 4);
  }
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(AF_INET6, &a, text.data(), text.size());
  return text.data();
}

}  // namespace

std::vector<std::string> network_interfaces() {
  std::vector<std::string> names;
  if (auto* list = if_nameindex()) {
    for (auto* i = list; i->if_index != 0; ++i)
      names.emplace_back(i->if_name);
    if_freenameindex(list);
  }
  return names;
}

std::vector<BoundSocket> bound_sockets() {
  std::vector<BoundSocket> out;
  for (const std::string protocol : {"tcp", "tcp6", "udp", "udp6"}) {
    std::ifstream in("/proc/net/" + protocol);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      const auto colon = local.find(':');
      if (colon == std::string::npos) continue;
      const bool tcp = protocol.rfind("tcp", 0) == 0;
      const bool listening = tcp && state == "0A";
      if (tcp && !listening) continue;  // connections between our own processes
      out.push_back({protocol, decode_address(local.substr(0, colon)),
                     static_cast<unsigned>(std::stoul(local.substr(colon + 1), nullptr, 16)),
                     listening});
    }
  }
  return out;
}

bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

}  // namespace tew::e2e
