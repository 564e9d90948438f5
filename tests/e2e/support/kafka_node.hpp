// One Apache Kafka node for an e2e run: KRaft broker + controller on 127.0.0.1 (free ports),
// storage formatted in a fresh directory, ready once a Metadata request over the Kafka
// protocol lists a broker (a real probe, not a sleep). SIGKILLed when the object goes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace tew::e2e {

// One record as the broker keeps it in a partition's log: its producer's timestamp and value.
struct TopicRecord {
  std::chrono::system_clock::time_point created;
  std::string value;
};

class KafkaNode {
 public:
  explicit KafkaNode(const std::filesystem::path& dir);

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return previous_logs_ + process_->output(); }
  // Storage format plus broker start, until a Metadata request listed the broker.
  std::chrono::milliseconds startup_time() const { return startup_time_; }

  // kill -9, then the broker again on the same ports and data (no format), until it lists
  // itself. Returns how long it was away.
  std::chrono::milliseconds restart();
  // kafka-configs --alter on one topic: `set` ("name=value", e.g. max.message.bytes=1) or
  // `remove` (a config name). Throws when the tool fails.
  void alter_topic(const std::string& topic, const std::string& set,
                   const std::string& remove = "") const;
  // Every record of each topic (all its partitions, in offset order), read from the broker's log
  // files with Kafka's own kafka.tools.DumpLogSegments: no consumer and no group, so it holds
  // what a stalled consumer never took. A topic never created has none. Bounded: throws when
  // the tool fails or runs longer than `timeout`, or the topics hold over `max_records`.
  std::map<std::string, std::vector<TopicRecord>> read_topics(
      const std::vector<std::string>& topics, std::size_t max_records,
      std::chrono::milliseconds timeout) const;

 private:
  void start_broker();

  std::filesystem::path properties_;
  std::filesystem::path data_;
  std::uint16_t port_;
  std::uint16_t controller_port_;
  std::string previous_logs_;
  std::unique_ptr<testing::ChildProcess> process_;
  std::chrono::milliseconds startup_time_{0};
};

// Brokers listed by a Metadata (v4) request to 127.0.0.1:port; 0 when it does not answer.
int kafka_broker_count(std::uint16_t port);

}  // namespace tew::e2e
