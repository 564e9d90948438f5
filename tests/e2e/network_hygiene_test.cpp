// Network hygiene of the e2e stage: it runs in a network namespace whose only interface is lo,
// and with Redis, Kafka, daprd sidecars and an app all running, every socket bound in it is on
// loopback, no UDP socket exists (standalone daprd's default mDNS would bind 0.0.0.0:5353),
// and daprd resolved names with the Configuration's network-free resolver.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include "brokers.hpp"
#include "log_lines.hpp"
#include "network_namespace.hpp"
#include "stack.hpp"

namespace {

using namespace tew::e2e;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

TEST_CASE_TEMPLATE("everything an e2e run starts stays on loopback", B, Redis, Kafka) {
  REQUIRE(network_interfaces() == std::vector<std::string>{"lo"});
  Stack stack(with_broker(B::broker));
  ScriptedApp sink(sink_subscriptions({"orders-seen"}));
  auto other = stack.sidecar("recurring", sink);
  auto app = stack.start_app("tew-test-app", "notification");
  REQUIRE(app.daprd->publish("orders", nlohmann::json{{"n", 1}}) == 204);
  MESSAGE("startup: daprd ", other->startup_time().count(), " ms and ",
          app.daprd->startup_time().count(), " ms",
          stack.kafka() ? ", Kafka (format + start) " +
                              std::to_string(stack.kafka()->startup_time().count()) + " ms"
                        : std::string());

  const auto sockets = bound_sockets();
  std::string listing;
  for (const auto& s : sockets)
    listing += s.protocol + " " + s.address + ":" + std::to_string(s.port) + "\n";
  MESSAGE("bound in the e2e namespace:\n", listing);
  CHECK(sockets.size() >= 7);  // Redis, 2 × daprd (HTTP, gRPC, internal gRPC), the app
  for (const auto& s : sockets) {
    CAPTURE(s.address);
    CHECK(is_loopback(s.address));
    CHECK(s.listening);  // TCP listeners only: no UDP socket at all
  }
  for (const Daprd* d : {other.get(), app.daprd.get()}) {
    const auto log = d->log();
    CHECK(count_lines(log, {"Initialized name resolution to kubernetes"}) == 1);
    CHECK(lower(log).find("mdns") == std::string::npos);
  }
}
