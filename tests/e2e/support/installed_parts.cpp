#include "installed_parts.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace tew::e2e {

namespace {

// The last line an install script prints on stdout is the installed path.
std::filesystem::path run_installer(const std::string& script, const char* env_override) {
  if (const char* v = std::getenv(env_override); v && *v) return v;
  const auto command = (source_dir() / "scripts" / script).string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string output, last;
  std::array<char, 4096> line{};
  while (fgets(line.data(), line.size(), pipe) != nullptr) {
    output += line.data();
    last = line.data();
  }
  const int status = pclose(pipe);
  while (!last.empty() && (last.back() == '\n' || last.back() == '\r'))
    last.pop_back();
  if (status != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      !std::filesystem::exists(last))
    throw std::runtime_error("scripts/" + script + " failed (set " + env_override +
                             " or run it once with network access):\n" + output);
  return last;
}

}  // namespace

std::filesystem::path source_dir() {
  return TEW_SOURCE_DIR;
}

std::filesystem::path daprd_binary() {
  static const auto path = run_installer("install-daprd", "TEW_DAPRD");
  return path;
}

std::filesystem::path kafka_home() {
  static const auto path = run_installer("install-kafka", "TEW_KAFKA_HOME");
  return path;
}

}  // namespace tew::e2e
