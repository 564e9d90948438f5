#include "tew/dapr_app.hpp"

#include <algorithm>
#include <stdexcept>

#include "delivery.hpp"
#include "event_pipeline.hpp"
#include "http_answers.hpp"
#include "tew/event_id.hpp"
#include "tew/json.hpp"
#include "tew/log.hpp"

namespace tew {

namespace {

struct BindingRoute {
  BindingSpec spec;
  BindingHandler handle;
};

bool is_health_path(std::string_view path) {
  return path == "/healthz" || path == "/readyz";
}

// A bulk entry's id: daprd always sends a string; anything else counts as none.
std::string entry_id_of(const nlohmann::json& entry) {
  if (!entry.is_object()) return {};
  const auto it = entry.find("entryId");
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

void check_consistent(const std::vector<TopicRoute>& routes, const TopicSubscription& spec) {
  for (const auto& r : routes) {
    if (r.spec.route == spec.route)
      throw std::invalid_argument("route " + spec.route + " registered twice");
    if (r.spec.pubsub != spec.pubsub || r.spec.topic != spec.topic) continue;
    if (!r.spec.match && !spec.match)
      throw std::invalid_argument("topic " + spec.topic + " has two default routes");
    if (r.spec.dead_letter_topic != spec.dead_letter_topic || r.spec.metadata != spec.metadata)
      throw std::invalid_argument("routes of topic " + spec.topic +
                                  " disagree on dead-letter topic or metadata");
  }
}

}  // namespace

std::string EventContext::traceparent() const {
  return event.extension("traceparent").value_or("");
}

CloudEvent EventContext::follow_on(std::string type, std::string_view purpose,
                                   nlohmann::json data) const {
  CloudEvent out;
  out.id = derive_event_id(event.source, event.id, purpose);
  out.source = std::string(app_source);
  out.type = std::move(type);
  out.time = event.time;
  out.datacontenttype = "application/json";
  out.data = std::move(data);
  return out;
}

PublishRequest EventContext::publish_request(std::string pubsub, std::string topic,
                                             CloudEvent out) const {
  return PublishRequest{std::move(pubsub), std::move(topic), std::move(out), traceparent(), {}};
}

struct DaprApp::Impl {
  Impl(AppDeps d, AppOptions o) : deps(d), options(std::move(o)), pipeline(deps, options) {
    if (options.event_source.empty()) options.event_source = options.app_id;
  }

  asio::awaitable<HttpResponse> route(HttpRequest& req);
  asio::awaitable<HttpResponse> topic_delivery(const TopicRoute& route, const HttpRequest& req);
  asio::awaitable<HttpResponse> bulk_delivery(const TopicRoute& route, const HttpRequest& req,
                                              const nlohmann::json& body);
  asio::awaitable<HttpResponse> binding_call(const BindingRoute& route, const HttpRequest& req);
  asio::awaitable<HttpResponse> readiness(const HttpRequest& req);

  AppDeps deps;
  AppOptions options;
  EventPipeline pipeline;
  std::vector<TopicRoute> topics;
  std::vector<TopicSubscription> specs;
  std::vector<BindingRoute> bindings;
  std::atomic<bool> started{false};
};

asio::awaitable<HttpResponse> DaprApp::Impl::route(HttpRequest& req) {
  const auto path = path_of(req.target());
  const auto method = req.method();

  if (!options.api_token.empty() && !is_health_path(path) &&
      !tokens_equal(req["dapr-api-token"], options.api_token))
    co_return text_answer(req, http::status::unauthorized,
                          "missing or wrong dapr-api-token header\n");

  if (path == "/healthz" && method == http::verb::get)
    co_return text_answer(req, http::status::ok, "ok\n");
  if (path == "/readyz" && method == http::verb::get) co_return co_await readiness(req);
  if (path == "/metrics" && method == http::verb::get) {
    auto res = text_answer(req, http::status::ok, deps.metrics.render());
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    co_return res;
  }
  if (path == "/dapr/subscribe" && method == http::verb::get)
    co_return json_answer(
        req, http::status::ok,
        options.programmatic_subscriptions ? subscribe_document(specs) : nlohmann::json::array());

  for (const auto& t : topics) {
    if (t.spec.route != path) continue;
    if (method != http::verb::post)
      co_return text_answer(req, http::status::method_not_allowed, "use POST\n");
    co_return co_await topic_delivery(t, req);
  }
  for (const auto& b : bindings) {
    if (b.spec.route != path) continue;
    if (method == http::verb::options) co_return text_answer(req, http::status::ok, "");
    if (method != http::verb::post)
      co_return text_answer(req, http::status::method_not_allowed, "use POST or OPTIONS\n");
    co_return co_await binding_call(b, req);
  }
  co_return text_answer(req, http::status::not_found, "no route for " + std::string(path) + "\n");
}

asio::awaitable<HttpResponse> DaprApp::Impl::topic_delivery(const TopicRoute& route,
                                                            const HttpRequest& req) {
  const auto content_type = req[http::field::content_type];
  // daprd's bulk delivery: a JSON envelope with `entries`, not a CloudEvent.
  if (route.spec.bulk.enabled && !has_ce_headers(req) && is_json_media_type(content_type)) {
    auto body = parse_json(req.body(), "body");
    if (body && body->is_object() && body->contains("entries") && !body->contains("specversion"))
      co_return co_await bulk_delivery(route, req, *body);
  }
  const Outcome out = co_await pipeline.deliver(route, read_cloud_event(req));
  co_return status_answer(req, out.status);
}

asio::awaitable<HttpResponse> DaprApp::Impl::bulk_delivery(const TopicRoute& route,
                                                           const HttpRequest& req,
                                                           const nlohmann::json& body) {
  const auto& entries = body["entries"];
  if (!entries.is_array())
    co_return text_answer(req, http::status::bad_request, "bulk body: entries must be an array\n");
  nlohmann::json statuses = nlohmann::json::array();
  // Entries are handled in order, one after another, as the broker delivered them.
  for (const auto& entry : entries) {
    const auto entry_id = entry_id_of(entry);
    if (entry_id.empty()) {
      log_warn("bulk entry without entryId ignored", {{"topic", route.spec.topic}});
      continue;
    }
    const Outcome out = co_await pipeline.deliver(route, read_bulk_entry(entry));
    statuses.push_back({{"entryId", entry_id}, {"status", to_string(out.status)}});
  }
  co_return json_answer(req, http::status::ok, {{"statuses", std::move(statuses)}});
}

asio::awaitable<HttpResponse> DaprApp::Impl::binding_call(const BindingRoute& route,
                                                          const HttpRequest& req) {
  Outcome out;
  try {
    out = co_await route.handle(BindingCall{route.spec, req});
  } catch (const std::exception& e) {
    out = Outcome::retry(std::string("handler failed: ") + e.what());
  }
  deps.metrics.count_binding(route.spec.name, out.status);
  LogFields fields{{"binding", route.spec.name}, {"outcome", std::string(to_string(out.status))}};
  if (!out.reason.empty()) fields.emplace_back("reason", out.reason);
  if (out.status == Status::success)
    log_debug("binding call handled", fields);
  else
    log_warn("binding call not handled", fields);
  // Non-2xx tells daprd the call failed (its resiliency policy may retry it); a DROP is final.
  if (out.status == Status::retry)
    co_return json_answer(req, http::status::service_unavailable, {{"error", out.reason}});
  co_return json_answer(req, http::status::ok, {{"status", to_string(out.status)}});
}

asio::awaitable<HttpResponse> DaprApp::Impl::readiness(const HttpRequest& req) {
  if (!started) co_return text_answer(req, http::status::service_unavailable, "starting\n");
  // Awaited into a named local: g++ 12 miscompiles a co_await inside the if condition (the
  // coroutine crashed on resuming its caller).
  const bool sidecar_healthy = co_await deps.sidecar.healthy();
  if (!sidecar_healthy)
    co_return text_answer(req, http::status::service_unavailable, "sidecar not reachable\n");
  co_return text_answer(req, http::status::ok, "ready\n");
}

DaprApp::DaprApp(AppDeps deps, AppOptions options)
    : impl_(std::make_unique<Impl>(deps, std::move(options))) {}

DaprApp::~DaprApp() = default;

void DaprApp::on_topic(TopicSubscription spec, TopicHandler handle) {
  on_topic_prepared(
      std::move(spec),
      [handle = std::move(handle)](CloudEvent&) -> Result<TopicHandler> { return handle; });
}

void DaprApp::on_topic_prepared(TopicSubscription spec, PrepareHandler prepare) {
  check_consistent(impl_->topics, spec);
  impl_->specs.push_back(spec);
  impl_->topics.push_back(TopicRoute{std::move(spec), std::move(prepare)});
}

void DaprApp::on_binding(BindingSpec spec, BindingHandler handle) {
  if (spec.route.empty()) spec.route = "/" + spec.name;
  impl_->bindings.push_back(BindingRoute{std::move(spec), std::move(handle)});
}

asio::awaitable<HttpResponse> DaprApp::handle(HttpRequest& request) {
  return impl_->route(request);
}

void DaprApp::mark_started() {
  impl_->started = true;
}

const std::vector<TopicSubscription>& DaprApp::subscriptions() const {
  return impl_->specs;
}

}  // namespace tew
