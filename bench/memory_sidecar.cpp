// The sidecar the services are benchmarked against instead of daprd: the tests' fake daprd
// HTTP API (tests/support/fake_sidecar_server: state with ETags and first-write in memory,
// publishes and bindings answered 204), on 127.0.0.1, forgetting what it recorded every second
// so a long run does not grow it. A stand-in for scripts/bench only, not a model of daprd's
// cost: daprd itself is measured end to end. Usage:
//   tew-bench-memory-sidecar      (prints "listening on <port>"; stops on SIGINT or SIGTERM)
#include <csignal>
#include <ctime>
#include <iostream>

#include "fake_sidecar_server.hpp"

int main() {
  // Blocked before the server's thread starts, so only sigtimedwait below takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const tew::SystemClock clock;
  tew::testing::FakeSidecarServer server(clock);
  server.start();
  std::cout << "listening on " << server.port() << std::endl;
  const timespec second{1, 0};
  while (sigtimedwait(&stop_signals, nullptr, &second) < 0)
    server.clear_recorded();
  server.stop();
}
