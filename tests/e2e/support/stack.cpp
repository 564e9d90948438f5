#include "stack.hpp"

#include <csignal>
#include <stdexcept>
#include <thread>

#include "network_namespace.hpp"
#include "ports.hpp"
#include "wait_until.hpp"

namespace tew::e2e {

namespace {

void require_private_network() {
  const auto interfaces = network_interfaces();
  if (interfaces != std::vector<std::string>{"lo"}) {
    std::string names;
    for (const auto& i : interfaces)
      names += i + " ";
    throw std::runtime_error(
        "e2e tests run only in a network namespace that has just lo (run "
        "them through tests/e2e/in-private-netns); this one has: " +
        names);
  }
}

}  // namespace

void AppReplica::stop() {
  process->signal(SIGTERM);
  if (!process->wait(15s)) throw std::runtime_error("app did not stop within 15 s");
  daprd->stop();
}

// The namespace is checked before the first member starts a process.
Stack::Stack(ResourceOptions options, bool durable_redis)
    : options_((require_private_network(), std::move(options))),
      redis_(dir_.sub("redis"), durable_redis) {
  Endpoints endpoints{redis_.address(), ""};
  if (options_.broker == Broker::kafka) {
    kafka_ = std::make_unique<KafkaNode>(dir_.sub("kafka"));
    endpoints.kafka = kafka_->address();
  }
  resources_ = render_resources(options_, endpoints, dir_.path() / "resources");
}

std::unique_ptr<Daprd> Stack::sidecar(const std::string& app_id, std::uint16_t app_port,
                                      const Tokens& tokens, std::uint16_t http_port) const {
  DaprdOptions o;
  o.app_id = app_id;
  o.app_port = app_port;
  o.http_port = http_port;
  o.resources = {resources_};
  o.config = dapr_config();
  o.app_api_token = tokens.app;
  o.dapr_api_token = tokens.dapr;
  return std::make_unique<Daprd>(std::move(o));
}

AppReplica Stack::start_app(const std::string& binary, const std::string& app_id,
                            std::map<std::string, std::string> env, const Tokens& tokens) const {
  AppReplica r;
  r.port = unique_port();
  const auto dapr_port = unique_port();
  std::map<std::string, std::string> full{{"APP_ID", app_id},
                                          {"APP_PORT", std::to_string(r.port)},
                                          {"DAPR_HTTP_PORT", std::to_string(dapr_port)},
                                          {"LOG_FORMAT", "text"},
                                          {"LOG_LEVEL", "debug"}};
  if (!tokens.app.empty()) full["APP_API_TOKEN"] = tokens.app;
  if (!tokens.dapr.empty()) full["DAPR_API_TOKEN"] = tokens.dapr;
  for (auto& [k, v] : env)
    full[k] = v;
  r.binary = binary;
  r.env = full;
  r.tokens = tokens;
  r.process = std::make_unique<testing::ChildProcess>(testing::built_binary(binary),
                                                      std::vector<std::string>{}, full);
  if (!r.process->wait_for_output("listening", 10s))
    throw std::runtime_error(binary + " did not listen within 10 s:\n" + r.process->output());
  r.daprd = sidecar(app_id, r.port, tokens, dapr_port);
  return r;
}

int Stack::restart_app(AppReplica& replica, int signo, std::chrono::milliseconds down) const {
  replica.process->signal(signo);
  const auto code = replica.process->wait(30s);
  if (!code)
    throw std::runtime_error(replica.binary + " did not exit within 30 s of signal " +
                             std::to_string(signo));
  replica.earlier_app_logs += replica.process->output();
  std::this_thread::sleep_for(down);
  replica.process = std::make_unique<testing::ChildProcess>(
      testing::built_binary(replica.binary), std::vector<std::string>{}, replica.env);
  if (!replica.process->wait_for_output("listening", 10s))
    throw std::runtime_error(replica.binary + " did not listen again within 10 s:\n" +
                             replica.process->output());
  return *code;
}

void Stack::restart_sidecar(AppReplica& replica, std::chrono::milliseconds down) const {
  const auto options = replica.daprd->options();
  const auto http_port = replica.daprd->http_port();
  replica.earlier_daprd_logs += replica.daprd->log();
  replica.daprd.reset();  // SIGKILL
  std::this_thread::sleep_for(down);
  replica.daprd = sidecar(options.app_id, options.app_port, replica.tokens, http_port);
}

std::string tail(const std::string& log, std::size_t lines) {
  std::size_t at = log.size();
  for (std::size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n)
    at = log.rfind('\n', at - 1);
  return at == std::string::npos ? log : log.substr(at + 1);
}

}  // namespace tew::e2e
