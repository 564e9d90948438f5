// An in-process Dapr app for e2e tests, behind a real daprd: it answers GET /dapr/subscribe
// with a given document, records every delivery, and answers each as its script says. As a
// sink it observes what our services publish (follow-ons, dead letters); as a probe it makes
// daprd show how it treats RETRY, DROP, 404, bulk answers and unmatched routes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "test_server.hpp"

namespace tew::e2e {

struct Delivery {
  std::string path;
  nlohmann::json body;    // the CloudEvent, or daprd's bulk envelope
  std::string api_token;  // the dapr-api-token header daprd sent
  std::chrono::steady_clock::time_point at;
};

struct Answer {
  int status = 200;
  std::string body = R"({"status":"SUCCESS"})";
};

class ScriptedApp {
 public:
  using Script = std::function<Answer(const Delivery&)>;
  // Without a script every delivery is answered 200 SUCCESS.
  explicit ScriptedApp(nlohmann::json subscriptions, Script script = {});

  std::uint16_t port() const { return server_->port(); }
  std::vector<Delivery> deliveries() const;
  // Deliveries to `path` of the CloudEvent with this id (bulk entries not included).
  std::size_t count(std::string_view path, std::string_view event_id) const;
  std::size_t count(std::string_view path) const;
  // Waits until `ready(deliveries)` holds, at most `timeout`.
  bool wait_for(const std::function<bool(const std::vector<Delivery>&)>& ready,
                std::chrono::milliseconds timeout) const;
  // Waits until `path` got at least `n` deliveries of `event_id`.
  bool wait_for_count(std::string_view path, std::string_view event_id, std::size_t n,
                      std::chrono::milliseconds timeout) const;
  std::string describe() const;  // every delivery, for failure messages

 private:
  nlohmann::json subscriptions_;
  Script script_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<Delivery> deliveries_;
  std::unique_ptr<testing::TestServer> server_;
};

// A subscription document for a sink: every topic on `pubsub`, routed to /sink/<topic>.
nlohmann::json sink_subscriptions(const std::vector<std::string>& topics,
                                  const std::string& pubsub = "pubsub");
std::string sink_route(const std::string& topic);

}  // namespace tew::e2e
