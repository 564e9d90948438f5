// The brokers every e2e flow runs against, as doctest template parameters
// (TEST_CASE_TEMPLATE(name, B, Redis, Kafka) runs a case once per broker, named <Redis> and
// <Kafka>), and how long a test waits for a first delivery.
#pragma once

#include <doctest/doctest.h>

#include <chrono>

#include "dapr_resources.hpp"

namespace tew::e2e {

struct Redis {
  static constexpr Broker broker = Broker::redis;
};
struct Kafka {
  static constexpr Broker broker = Broker::kafka;
};

// First deliveries on Kafka wait for a consumer-group join.
inline constexpr std::chrono::seconds kDelivery{60};

}  // namespace tew::e2e

TYPE_TO_STRING_AS("Redis", tew::e2e::Redis);
TYPE_TO_STRING_AS("Kafka", tew::e2e::Kafka);
