#include "redis_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <istream>
#include <stdexcept>

#include "ports.hpp"
#include "wait_until.hpp"

namespace tew::e2e {

namespace asio = boost::asio;

RedisServer::RedisServer(const std::filesystem::path& dir, bool durable)
    : dir_(dir), durable_(durable), port_(unique_port()) {
  start();
}

void RedisServer::start() {
  std::vector<std::string> args{
      "--port", std::to_string(port_), "--bind",      "127.0.0.1", "--save",           "",
      "--dir",  dir_.string(),         "--daemonize", "no",        "--protected-mode", "yes"};
  if (durable_) {
    for (const char* a : {"--appendonly", "yes", "--appendfsync", "always"})
      args.emplace_back(a);
  } else {
    for (const char* a : {"--appendonly", "no"})
      args.emplace_back(a);
  }
  process_ = std::make_unique<testing::ChildProcess>("/usr/bin/redis-server", args,
                                                     std::map<std::string, std::string>{});
  const bool up = wait_until(
      [&] {
        try {
          return command("PING") == "PONG";
        } catch (const std::exception&) {
          return false;
        }
      },
      30s, 20ms);
  if (!up) throw std::runtime_error("redis-server did not answer PING within 30 s:\n" + log());
}

void RedisServer::restart() {
  process_->signal(SIGKILL);
  process_->wait(10s);
  previous_logs_ += process_->output();
  start();
}

std::string RedisServer::command(const std::string& line) const {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(socket, asio::buffer(line + "\r\n"));
  asio::streambuf buf;
  asio::read_until(socket, buf, "\r\n");
  std::istream in(&buf);
  std::string reply;
  std::getline(in, reply);
  if (!reply.empty() && reply.back() == '\r') reply.pop_back();
  // +OK / :42 / -ERR ... : the text after the type byte. Bulk strings ($n) need a second line.
  if (reply.empty()) return reply;
  if (reply[0] == '$') {
    if (reply == "$-1") return "";
    asio::read_until(socket, buf, "\r\n");
    std::string value;
    std::getline(in, value);
    if (!value.empty() && value.back() == '\r') value.pop_back();
    return value;
  }
  return reply.substr(1);
}

}  // namespace tew::e2e
