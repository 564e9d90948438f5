// Captures what tew::log writes, line by line, for tests that assert on log lines.
#pragma once

#include <doctest/doctest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <string>
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

// Logs into a capture sink for the test's duration, then puts the previous logger back.
class CapturedLog {
 public:
  explicit CapturedLog(LogOptions options) { init_logging(options, sink_); }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::string> lines() { return sink_->lines(); }
  std::string only_line() {
    const auto all = lines();
    REQUIRE(all.size() == 1);
    return all[0];
  }

 private:
  std::shared_ptr<CaptureSink> sink_ = std::make_shared<CaptureSink>();
  std::shared_ptr<spdlog::logger> previous_ = spdlog::default_logger();
};

}  // namespace tew::testing
