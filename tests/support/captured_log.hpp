// Captures what tew::log writes, line by line, for tests that check log output (formats, and
// that secrets never appear). Installs itself as the default logger; puts the previous back.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tew/log.hpp"

namespace spdlog {
class logger;
}

namespace tew::testing {

class CaptureSink;

class CapturedLog {
 public:
  explicit CapturedLog(LogOptions options);
  ~CapturedLog();
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // Each line exactly as written, without its newline (checked to be one line each).
  std::vector<std::string> lines() const;
  std::string only_line() const;  // REQUIREs exactly one line
  // Every line joined; for searching the whole output.
  std::string text() const;

 private:
  std::shared_ptr<CaptureSink> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace tew::testing
