#include "captured_log.hpp"

#include <doctest/doctest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>

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

CapturedLog::CapturedLog(LogOptions options)
    : sink_(std::make_shared<CaptureSink>()), previous_(spdlog::default_logger()) {
  init_logging(options, sink_);
}

CapturedLog::~CapturedLog() {
  spdlog::set_default_logger(previous_);
}

std::vector<std::string> CapturedLog::lines() const {
  return sink_->lines();
}

std::string CapturedLog::only_line() const {
  const auto all = lines();
  REQUIRE(all.size() == 1);
  return all[0];
}

std::string CapturedLog::text() const {
  std::string all;
  for (const auto& line : lines())
    all += line + "\n";
  return all;
}

}  // namespace tew::testing
