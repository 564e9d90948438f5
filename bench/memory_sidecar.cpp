// The sidecar the services are benchmarked against instead of daprd: the tests' fake daprd
// HTTP API (tests/support/fake_sidecar_server: state with ETags and first-write in memory,
// publishes and bindings answered 204), on 127.0.0.1, recording none of the requests it answers
// (the tests' fake keeps each; here that cost more than the answer). A stand-in for scripts/bench
// and scripts/load only, not a model of daprd's cost: daprd itself is measured end to end. Usage:
//   tew-bench-memory-sidecar      (prints "listening on <port>"; stops on SIGINT or SIGTERM)
#include <csignal>
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
  server.stop_recording();
  server.start();
  std::cout << "listening on " << server.port() << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server.stop();
}
