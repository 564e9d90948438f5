// Where time comes from. Domain code never reads the system clock; it is handed a Clock,
// so every time rule is tested by moving a fake clock instead of sleeping.
#pragma once

#include <chrono>

namespace tew {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

}  // namespace tew
