#include "scripted_app.hpp"

#include <algorithm>

namespace tew::e2e {

ScriptedApp::ScriptedApp(nlohmann::json subscriptions, Script script)
    : subscriptions_(std::move(subscriptions)), script_(std::move(script)) {
  server_ = std::make_unique<testing::TestServer>(
      [this](HttpRequest& req) -> asio::awaitable<HttpResponse> {
        HttpResponse res{http::status::ok, req.version()};
        res.keep_alive(req.keep_alive());
        const std::string path(req.target().substr(0, req.target().find('?')));
        if (req.method() == http::verb::get && path == "/dapr/subscribe") {
          res.set(http::field::content_type, "application/json");
          res.body() = subscriptions_.dump();
        } else if (req.method() == http::verb::get && path == "/healthz") {
          res.body() = "ok\n";
        } else if (req.method() != http::verb::post) {
          res.result(http::status::not_found);  // OPTIONS of an input binding: none here
        } else {
          Delivery d{path, nlohmann::json::parse(req.body(), nullptr, false),
                     std::string(req["dapr-api-token"]), std::chrono::steady_clock::now()};
          const Answer answer = script_ ? script_(d) : Answer{};
          {
            std::lock_guard lock(mutex_);
            deliveries_.push_back(std::move(d));
          }
          changed_.notify_all();
          res.result(static_cast<http::status>(answer.status));
          res.set(http::field::content_type, "application/json");
          res.body() = answer.body;
        }
        res.prepare_payload();
        co_return res;
      });
}

std::vector<Delivery> ScriptedApp::deliveries() const {
  std::lock_guard lock(mutex_);
  return deliveries_;
}

std::size_t ScriptedApp::count(std::string_view path, std::string_view event_id) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(deliveries_.begin(), deliveries_.end(), [&](const Delivery& d) {
        return d.path == path && d.body.is_object() && d.body.value("id", "") == event_id;
      }));
}

std::size_t ScriptedApp::count(std::string_view path) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(deliveries_.begin(), deliveries_.end(),
                                                [&](const Delivery& d) { return d.path == path; }));
}

bool ScriptedApp::wait_for(const std::function<bool(const std::vector<Delivery>&)>& ready,
                           std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return ready(deliveries_); });
}

bool ScriptedApp::wait_for_count(std::string_view path, std::string_view event_id, std::size_t n,
                                 std::chrono::milliseconds timeout) const {
  return wait_for(
      [&](const std::vector<Delivery>& all) {
        return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const auto& d) {
                 return d.path == path && d.body.is_object() && d.body.value("id", "") == event_id;
               })) >= n;
      },
      timeout);
}

std::string ScriptedApp::describe() const {
  std::string out;
  for (const auto& d : deliveries())
    out += d.path + " " + d.body.dump().substr(0, 300) + "\n";
  return out.empty() ? "(no deliveries)\n" : out;
}

nlohmann::json sink_subscriptions(const std::vector<std::string>& topics,
                                  const std::string& pubsub) {
  auto doc = nlohmann::json::array();
  for (const auto& t : topics)
    doc.push_back({{"pubsubname", pubsub}, {"topic", t}, {"routes", {{"default", sink_route(t)}}}});
  return doc;
}

std::string sink_route(const std::string& topic) {
  return "/sink/" + topic;
}

}  // namespace tew::e2e
