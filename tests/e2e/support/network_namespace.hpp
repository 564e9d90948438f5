// What the e2e network namespace looks like from inside: its interfaces and every socket
// bound in it. The e2e stage runs in a namespace that has only lo (tests/e2e/in-private-netns),
// so nothing a test starts can reach beyond loopback; these make that checkable.
#pragma once

#include <string>
#include <vector>

namespace tew::e2e {

// Names of the network interfaces of this process's namespace (netlink view, not /sys).
std::vector<std::string> network_interfaces();

struct BoundSocket {
  std::string protocol;  // tcp, tcp6, udp, udp6
  std::string address;   // local address, e.g. 127.0.0.1 or ::ffff:127.0.0.1
  unsigned port = 0;
  bool listening = false;  // TCP LISTEN; UDP sockets are always reported
};

// TCP listeners and bound UDP sockets of this namespace, from /proc/net/{tcp,tcp6,udp,udp6}.
std::vector<BoundSocket> bound_sockets();
bool is_loopback(const std::string& address);

}  // namespace tew::e2e
