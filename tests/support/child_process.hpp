// Starts a real binary for integration tests, with its own environment and its output in a
// file, and makes sure it is gone when the test ends (also when the test fails).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tew::testing {

class ChildProcess {
 public:
  // `env` is the child's whole environment (plus PATH and HOME from ours).
  ChildProcess(std::string path, std::vector<std::string> args,
               std::map<std::string, std::string> env);
  ~ChildProcess();  // SIGKILL if still running, then reaps it

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // Exit code once it has exited within `timeout` (128+N for death by signal N).
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // Everything written to stdout and stderr so far.
  std::string output() const;
  // Waits until `needle` appears in the output, or the process exits, or `timeout` passes.
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string output_path_;
};

// Path of a binary built next to the tests (CMake passes its directory).
std::string built_binary(const std::string& name);
// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

}  // namespace tew::testing
