// Captures what tew::log writes, line by line, for tests that check log lines: the default
// logger is replaced for the test's duration and put back afterwards.
#pragma once

#include <doctest/doctest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tew/log.hpp"

namespace tew::testing {

// Keeps each line exactly as the logger writes it, minus the final newline.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    const std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line(formatted.data(), formatted.size());
    CHECK(line.ends_with('\n'));
    if (line.ends_with('\n')) line.pop_back();
    CHECK(line.find('\n') == std::string::npos);
    lines_.push_back(std::move(line));
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

class CapturedLog {
 public:
  explicit CapturedLog(LogOptions options) { init_logging(options, sink_); }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::string> lines() const { return sink_->lines(); }
  std::string only_line() const {
    const auto all = lines();
    REQUIRE(all.size() == 1);
    return all[0];
  }
  // Every line joined with newlines, for searching the whole output.
  std::string text() const {
    std::string out;
    for (const auto& line : lines())
      out += line + "\n";
    return out;
  }
  // Lines that contain every one of `needles`.
  std::vector<std::string> lines_with(std::initializer_list<std::string_view> needles) const {
    std::vector<std::string> found;
    for (auto& line : lines()) {
      bool all = true;
      for (const auto needle : needles)
        all = all && line.find(needle) != std::string::npos;
      if (all) found.push_back(std::move(line));
    }
    return found;
  }

 private:
  std::shared_ptr<CaptureSink> sink_ = std::make_shared<CaptureSink>();
  std::shared_ptr<spdlog::logger> previous_ = spdlog::default_logger();
};

}  // namespace tew::testing
