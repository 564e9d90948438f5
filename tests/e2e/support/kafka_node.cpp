#include "kafka_node.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <sstream>
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

// The log segments of `topic`'s partitions (directories <topic>-<partition> under `data`), in
// partition and offset order.
std::vector<std::filesystem::path> segments_of(const std::filesystem::path& data,
                                               const std::string& topic) {
  const auto is_partition_of_topic = [&](const std::string& dir) {
    const auto number = dir.substr(std::min(dir.size(), topic.size() + 1));
    return dir.rfind(topic + "-", 0) == 0 && !number.empty() &&
           std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::vector<std::filesystem::path> partitions, segments;
  for (const auto& e : std::filesystem::directory_iterator(data))
    if (e.is_directory() && is_partition_of_topic(e.path().filename().string()))
      partitions.push_back(e.path());
  std::sort(partitions.begin(), partitions.end());
  for (const auto& p : partitions) {
    std::vector<std::filesystem::path> logs;
    for (const auto& e : std::filesystem::directory_iterator(p))
      if (e.path().extension() == ".log") logs.push_back(e.path());
    std::sort(logs.begin(), logs.end());  // named by base offset, zero-padded
    segments.insert(segments.end(), logs.begin(), logs.end());
  }
  return segments;
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
      data_(dir / "data"),
      port_(unique_port()),
      controller_port_(unique_port()) {
  const auto started = std::chrono::steady_clock::now();
  write_properties(properties_, data_, port_, controller_port_);

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

std::map<std::string, std::vector<TopicRecord>> KafkaNode::read_topics(
    const std::vector<std::string>& topics, std::size_t max_records,
    std::chrono::milliseconds timeout) const {
  std::map<std::string, std::vector<TopicRecord>> out;
  std::map<std::string, std::string> topic_of;  // segment path -> topic
  std::string files;
  for (const auto& t : topics) {
    out[t];
    for (const auto& s : segments_of(data_, t)) {
      topic_of[s.string()] = t;
      files += (files.empty() ? "" : ",") + s.string();
    }
  }
  if (files.empty()) return out;

  auto args = java_args(kafka_home(), "kafka.tools.DumpLogSegments");
  for (const auto& a : {std::string("--print-data-log"), std::string("--files"), files})
    args.push_back(a);
  testing::ChildProcess tool("/usr/bin/java", args, {});
  const auto code = tool.wait(timeout);
  if (code != 0)
    throw std::runtime_error(std::string("kafka DumpLogSegments ") +
                             (code ? "failed" : "took longer than the bound") + ":\n" +
                             tool.output().substr(0, 4000));

  // "Dumping <file>" opens each segment; then one line per record:
  // "| offset: 7 CreateTime: 1700000000000 keySize: -1 ... headerKeys: [] payload: <value>".
  std::istringstream in(tool.output());
  std::vector<TopicRecord>* records = nullptr;
  std::size_t total = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Dumping ", 0) == 0) {
      const auto it = topic_of.find(line.substr(8));
      if (it == topic_of.end()) throw std::runtime_error("DumpLogSegments named " + line);
      records = &out[it->second];
      continue;
    }
    if (line.rfind("| offset: ", 0) != 0) continue;
    const auto created = line.find(" CreateTime: ");
    const auto payload = line.find(" payload: ");
    if (records == nullptr || created == std::string::npos || payload == std::string::npos)
      throw std::runtime_error("DumpLogSegments printed a record line not understood: " + line);
    if (++total > max_records)
      throw std::runtime_error("the topics hold more than " + std::to_string(max_records) +
                               " records");
    const auto ms = std::stoll(line.substr(created + 13));
    records->push_back({std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)),
                        line.substr(payload + 10)});
  }
  return out;
}

}  // namespace tew::e2e
