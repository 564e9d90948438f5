#include "daprd.hpp"

#include <csignal>
#include <stdexcept>

#include "installed_parts.hpp"
#include "ports.hpp"
#include "wait_until.hpp"

namespace tew::e2e {

Daprd::Daprd(DaprdOptions options, std::chrono::seconds timeout)
    : options_(std::move(options)),
      http_port_(options_.http_port != 0 ? options_.http_port : unique_port()) {
  const auto port = [](std::uint16_t p) { return std::to_string(p); };
  std::vector<std::string> args{"--mode",
                                "standalone",
                                "--app-id",
                                options_.app_id,
                                "--dapr-http-port",
                                port(http_port_),
                                "--dapr-grpc-port",
                                port(unique_port()),
                                "--dapr-internal-grpc-port",
                                port(unique_port()),
                                "--dapr-listen-addresses",
                                "127.0.0.1",
                                "--dapr-internal-grpc-listen-address",
                                "127.0.0.1",
                                "--enable-metrics=false",
                                "--dapr-graceful-shutdown-seconds",
                                "1",
                                "--config",
                                options_.config.string(),
                                "--log-level",
                                options_.log_level};
  if (options_.app_port != 0) {
    for (const auto& a :
         {std::string("--app-port"), port(options_.app_port), std::string("--app-protocol"),
          std::string("http"), std::string("--app-channel-address"), std::string("127.0.0.1")})
      args.push_back(a);
  }
  for (const auto& r : options_.resources) {
    args.emplace_back("--resources-path");
    args.push_back(r.string());
  }
  // DAPR_HOST_IP: else daprd finds its host address through a route lookup towards 8.8.8.8 and
  // the first non-loopback interface, and exits in a namespace that has only lo.
  std::map<std::string, std::string> env{{"DAPR_HOST_IP", "127.0.0.1"}};
  if (!options_.app_api_token.empty()) env["APP_API_TOKEN"] = options_.app_api_token;
  if (!options_.dapr_api_token.empty()) env["DAPR_API_TOKEN"] = options_.dapr_api_token;
  const auto started = std::chrono::steady_clock::now();
  process_ = std::make_unique<testing::ChildProcess>(daprd_binary().string(), args, env);

  const bool healthy = wait_until(
      [&] {
        if (process_->wait(0ms)) return true;
        try {
          return get("/v1.0/healthz").result_int() == 204;
        } catch (const std::exception&) {
          return false;
        }
      },
      timeout, 25ms);
  if (!healthy || process_->wait(0ms))
    throw std::runtime_error("daprd " + options_.app_id + " not healthy within " +
                             std::to_string(timeout.count()) + " s:\n" + log());
  startup_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
}

testing::Response Daprd::get(const std::string& target) const {
  testing::HttpClient client(http_port_);
  if (options_.dapr_api_token.empty()) return client.get(target);
  return client.get(target, {{"dapr-api-token", options_.dapr_api_token}});
}

testing::Response Daprd::post(const std::string& target, const std::string& body,
                              const std::string& content_type, testing::Headers extra) const {
  testing::HttpClient client(http_port_);
  testing::http::request<testing::http::string_body> req{testing::http::verb::post, target, 11};
  req.set(testing::http::field::content_type, content_type);
  if (!options_.dapr_api_token.empty()) req.set("dapr-api-token", options_.dapr_api_token);
  for (const auto& [k, v] : extra)
    req.set(k, v);
  req.body() = body;
  return client.send(std::move(req));
}

int Daprd::publish(const std::string& topic, const nlohmann::json& body,
                   const std::string& content_type, const std::string& pubsub) const {
  return post("/v1.0/publish/" + pubsub + "/" + topic, body.dump(), content_type).result_int();
}

nlohmann::json Daprd::subscriptions() const {
  const auto res = get("/v1.0/metadata");
  if (res.result_int() != 200)
    throw std::runtime_error("GET /v1.0/metadata answered " + std::to_string(res.result_int()));
  return nlohmann::json::parse(res.body()).value("subscriptions", nlohmann::json::array());
}

void Daprd::stop() {
  process_->signal(SIGTERM);
  if (!process_->wait(15s)) throw std::runtime_error("daprd did not stop within 15 s:\n" + log());
}

}  // namespace tew::e2e
