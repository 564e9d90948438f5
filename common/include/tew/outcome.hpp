// What a handler tells daprd about one event: SUCCESS, RETRY (redeliver later) or DROP
// (never redeliver; dead-letter if configured), with the reason logged and counted.
#pragma once

#include <string>
#include <string_view>

namespace tew {

enum class Status { success, retry, drop };

std::string_view to_string(Status s);  // "SUCCESS" | "RETRY" | "DROP"

struct Outcome {
  Status status = Status::success;
  std::string reason;

  static Outcome success() { return {Status::success, {}}; }
  static Outcome retry(std::string reason) { return {Status::retry, std::move(reason)}; }
  static Outcome drop(std::string reason) { return {Status::drop, std::move(reason)}; }
};

}  // namespace tew
