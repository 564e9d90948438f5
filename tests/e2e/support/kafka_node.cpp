#include "kafka_node.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "installed_parts.hpp"
#include "ports.hpp"
#include "wait_until.hpp"

namespace tew::e2e {

namespace {

namespace asio = boost::asio;

// Small heap, serial GC and C1 only: the node starts in a few seconds on two shared cores.
std::vector<std::string> java_args(const std::filesystem::path& home, std::string main_class) {
  return {"-Xms128m",
          "-Xmx512m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-XX:-UsePerfData",
          "-Djava.awt.headless=true",
          "-Dlog4j.configuration=file:" + (home / "log4j.properties").string(),
          "-cp",
          (home / "libs" / "*").string(),
          std::move(main_class)};
}

void write_properties(const std::filesystem::path& file, const std::filesystem::path& data,
                      std::uint16_t port, std::uint16_t controller_port) {
  const auto p = std::to_string(port), c = std::to_string(controller_port);
  std::ofstream out(file);
  out << "process.roles=broker,controller\n"
      << "node.id=1\n"
      << "controller.quorum.voters=1@127.0.0.1:" << c << "\n"
      << "listeners=PLAINTEXT://127.0.0.1:" << p << ",CONTROLLER://127.0.0.1:" << c << "\n"
      << "advertised.listeners=PLAINTEXT://127.0.0.1:" << p << "\n"
      << "controller.listener.names=CONTROLLER\n"
      << "inter.broker.listener.name=PLAINTEXT\n"
      << "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
      << "log.dirs=" << data.string() << "\n"
      << "num.partitions=1\n"
      << "auto.create.topics.enable=true\n"
      << "offsets.topic.replication.factor=1\n"
      << "offsets.topic.num.partitions=1\n"
      << "transaction.state.log.replication.factor=1\n"
      << "transaction.state.log.min.isr=1\n"
      << "transaction.state.log.num.partitions=1\n"
      << "group.initial.rebalance.delay.ms=0\n"
      << "num.network.threads=1\n"
      << "num.io.threads=2\n"
      << "background.threads=2\n"
      << "log.cleaner.enable=false\n";
}

void put16(std::vector<std::uint8_t>& b, std::int16_t v) {
  b.push_back(static_cast<std::uint8_t>((v >> 8) & 0xff));
  b.push_back(static_cast<std::uint8_t>(v & 0xff));
}
void put32(std::vector<std::uint8_t>& b, std::int32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    b.push_back(static_cast<std::uint8_t>((v >> shift) & 0xff));
}
std::int32_t get32(const std::vector<std::uint8_t>& b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v = (v << 8) | b.at(at + i);
  return static_cast<std::int32_t>(v);
}

}  // namespace

int kafka_broker_count(std::uint16_t port) {
  try {
    // Request header v1 (api key, version, correlation id, client id), then Metadata v4:
    // topics = null (all), allow_auto_topic_creation = false.
    std::vector<std::uint8_t> body;
    put16(body, 3);
    put16(body, 4);
    put32(body, 7);
    const std::string client = "tew-e2e-probe";
    put16(body, static_cast<std::int16_t>(client.size()));
    body.insert(body.end(), client.begin(), client.end());
    put32(body, -1);
    body.push_back(0);
    std::vector<std::uint8_t> frame;
    put32(frame, static_cast<std::int32_t>(body.size()));
    frame.insert(frame.end(), body.begin(), body.end());

    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(socket, asio::buffer(frame));
    std::vector<std::uint8_t> size(4);
    asio::read(socket, asio::buffer(size));
    const auto n = get32(size, 0);
    if (n < 12 || n > (1 << 24)) return 0;
    std::vector<std::uint8_t> reply(static_cast<std::size_t>(n));
    asio::read(socket, asio::buffer(reply));
    // correlation id, throttle_time_ms, then the brokers array's length.
    if (get32(reply, 0) != 7) return 0;
    return get32(reply, 8);
  } catch (const std::exception&) {
    return 0;
  }
}

KafkaNode::KafkaNode(const std::filesystem::path& dir)
    : properties_(dir / "server.properties"),
      port_(unique_port()),
      controller_port_(unique_port()) {
  const auto started = std::chrono::steady_clock::now();
  write_properties(properties_, dir / "data", port_, controller_port_);

  auto format_args = java_args(kafka_home(), "kafka.tools.StorageTool");
  for (const char* a : {"format", "--cluster-id", "MkU3OEVBNTcwNTJENDM2Qk", "-c"})
    format_args.emplace_back(a);
  format_args.push_back(properties_.string());
  testing::ChildProcess format("/usr/bin/java", format_args, {});
  const auto formatted = format.wait(std::chrono::seconds(120));
  if (formatted != 0)
    throw std::runtime_error("kafka StorageTool format failed:\n" + format.output());

  start_broker();
  startup_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
}

void KafkaNode::start_broker() {
  auto args = java_args(kafka_home(), "kafka.Kafka");
  args.push_back(properties_.string());
  process_ = std::make_unique<testing::ChildProcess>("/usr/bin/java", args,
                                                     std::map<std::string, std::string>{});
  const bool up = wait_until(
      [&] {
        if (process_->wait(0ms)) return true;  // exited: reported below
        return kafka_broker_count(port_) > 0;
      },
      120s, 100ms);
  if (!up || process_->wait(0ms))
    throw std::runtime_error("kafka did not list a broker within 120 s:\n" + log());
}

std::chrono::milliseconds KafkaNode::restart() {
  const auto down = std::chrono::steady_clock::now();
  process_->signal(SIGKILL);
  process_->wait(30s);
  previous_logs_ += process_->output();
  start_broker();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               down);
}

void KafkaNode::alter_topic(const std::string& topic, const std::string& set,
                            const std::string& remove) const {
  auto args = java_args(kafka_home(), "kafka.admin.ConfigCommand");
  for (const auto& a :
       {std::string("--bootstrap-server"), address(), std::string("--alter"),
        std::string("--entity-type"), std::string("topics"), std::string("--entity-name"), topic})
    args.push_back(a);
  if (!set.empty()) {
    args.emplace_back("--add-config");
    args.push_back(set);
  }
  if (!remove.empty()) {
    args.emplace_back("--delete-config");
    args.push_back(remove);
  }
  testing::ChildProcess tool("/usr/bin/java", args, {});
  if (tool.wait(120s) != 0)
    throw std::runtime_error("kafka-configs on topic " + topic + " failed:\n" + tool.output());
}

}  // namespace tew::e2e
