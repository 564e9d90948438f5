#include "fake_sidecar_server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "fake_dapr_api.hpp"

namespace tew::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace fake_dapr;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxBodyBytes = 16 * 1024 * 1024;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_write(http::verb method) {
  return method == http::verb::post || method == http::verb::put;
}

}  // namespace

std::string RecordedRequest::header(std::string_view name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

struct FakeSidecarServer::Impl {
  enum class FaultKind { status, close, delay };
  struct Fault {
    FaultKind kind = FaultKind::status;
    int status = 0;
    std::chrono::milliseconds delay{0};
    std::string path_prefix;
    int remaining = 0;
  };
  struct BindingAnswer {
    int status = 204;
    std::string body;
  };

  explicit Impl(FakeStateStore& s) : state(s) {}

  void add_fault(Fault fault) {
    if (fault.remaining <= 0) return;
    const std::lock_guard lock(mutex);
    faults.push_back(std::move(fault));
  }

  // Records the request and takes the first scripted fault that applies to it.
  std::optional<Fault> record(const HttpRequest& req) {
    const auto target = parse_target(req.target());
    std::optional<RecordedRequest> recorded;
    if (recording) {
      recorded = RecordedRequest{
          std::string(req.method_string()), target.path, target.query, {}, req.body()};
      for (const auto& field : req)
        recorded->headers[lower(field.name_string())] = field.value();
    }

    const std::lock_guard lock(mutex);
    ++request_total;
    if (recorded) requests.push_back(std::move(*recorded));
    const auto due = std::find_if(faults.begin(), faults.end(), [&](const Fault& f) {
      return std::string_view(target.path).starts_with(f.path_prefix);
    });
    if (due == faults.end()) return std::nullopt;
    auto fault = *due;
    if (--due->remaining == 0) faults.erase(due);
    return fault;
  }

  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor->async_accept(use_tuple);
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      if (ec) continue;
      ++accepted;
      asio::co_spawn(io->get_executor(), session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBodyBytes);
      auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
      if (read_error) co_return;
      const auto req = parser.release();
      const auto fault = record(req);
      if (fault && fault->kind == FaultKind::close) co_return;  // closes without an answer
      if (fault && fault->kind == FaultKind::delay) {
        asio::steady_timer timer(stream.get_executor(), fault->delay);
        co_await timer.async_wait(use_tuple);
      }
      auto res = fault && fault->kind == FaultKind::status
                     ? error_answer(fault->status, "ERR_FAULT_INJECTED",
                                    "fault injected by FakeSidecarServer", req)
                     : handle_caught(req);
      auto [write_error, written] = co_await http::async_write(stream, res, use_tuple);
      if (write_error || !res.keep_alive()) co_return;
    }
  }

  // A bug in the fake answers 500 instead of ending the test process.
  HttpResponse handle_caught(const HttpRequest& req) {
    try {
      return handle(req);
    } catch (const std::exception& e) {
      return error_answer(500, "ERR_FAKE_SIDECAR", e.what(), req);
    }
  }

  HttpResponse handle(const HttpRequest& req) {
    const auto target = parse_target(req.target());
    const auto& s = target.segments;
    const bool health = target.path.find("/healthz") != std::string::npos;
    if (!health && !token_accepted(req))
      return text_answer(http::status::unauthorized, "invalid api token\n", req);
    if (s.size() < 2 || s[0] != "v1.0") return not_found(req);
    const auto method = req.method();
    if (s[1] == "healthz" && s.size() <= 3 && method == http::verb::get) return health_answer(req);
    if (s[1] == "publish" && s.size() == 4 && is_write(method)) return publish(req, target);
    if (s[1] == "bindings" && s.size() == 3 && is_write(method)) return binding(req, s[2]);
    if (s[1] != "state" || s.size() < 3) return not_found(req);
    if (s.size() == 3 && is_write(method)) return save(req, s[2]);
    if (s.size() == 4 && s[3] == "transaction" && is_write(method)) return transact(req);
    if (s.size() == 4 && s[3] == "bulk" && is_write(method)) return bulk_get(req);
    if (s.size() == 4 && method == http::verb::get) return get(req, s[3]);
    if (s.size() == 4 && method == http::verb::delete_) return remove(req, target, s[3]);
    return not_found(req);
  }

  bool token_accepted(const HttpRequest& req) {
    const std::lock_guard lock(mutex);
    if (api_token.empty()) return true;
    const auto it = req.find("dapr-api-token");
    return it != req.end() && it->value() == api_token;
  }

  static HttpResponse not_found(const HttpRequest& req) {
    return text_answer(http::status::not_found, "404 page not found\n", req);
  }

  HttpResponse health_answer(const HttpRequest& req) {
    const std::lock_guard lock(mutex);
    if (healthy) return empty_answer(http::status::no_content, req);
    return error_answer(500, "ERR_HEALTH_NOT_READY", "dapr is not ready", req);
  }

  // With application/cloudevents+json daprd forwards the event as is; it must be an object.
  HttpResponse publish(const HttpRequest& req, const Target& target) {
    PublishedEvent event;
    event.pubsub = target.segments[2];
    event.topic = target.segments[3];
    event.content_type = std::string(req[http::field::content_type]);
    event.traceparent = std::string(req["traceparent"]);
    for (const auto& [name, value] : target.params)
      if (name.starts_with("metadata.")) event.metadata[name.substr(9)] = value;
    event.event = nlohmann::json::parse(req.body(), nullptr, false);
    const bool structured = lower(event.content_type).starts_with("application/cloudevents+json");
    if (structured && !event.event.is_object())
      return error_answer(400, "ERR_PUBSUB_CLOUD_EVENTS_SER",
                          "error when marshalling cloud event envelope for topic " + event.topic +
                              " pubsub " + event.pubsub + ": not a JSON object",
                          req);
    if (event.event.is_discarded()) event.event = req.body();
    const std::lock_guard lock(mutex);
    if (recording) published.push_back(std::move(event));
    return empty_answer(http::status::no_content, req);
  }

  HttpResponse binding(const HttpRequest& req, const std::string& name) {
    const auto body = nlohmann::json::parse(req.body(), nullptr, false);
    if (!body.is_object())
      return error_answer(400, "ERR_MALFORMED_REQUEST", "binding request is not a JSON object",
                          req);
    BindingAnswer scripted;
    {
      const std::lock_guard lock(mutex);
      if (const auto it = bindings.find(name); it != bindings.end()) scripted = it->second;
    }
    if (scripted.body.empty()) return empty_answer(static_cast<http::status>(scripted.status), req);
    return json_answer(static_cast<http::status>(scripted.status), scripted.body, req);
  }

  HttpResponse get(const HttpRequest& req, const std::string& key) {
    const auto item = state.get(key);
    if (!item) return error_answer(500, "ERR_STATE_GET", item.error().describe(), req);
    if (!item->value) return empty_answer(http::status::no_content, req);
    auto res = json_answer(http::status::ok, item->value->dump(), req);
    res.set(http::field::etag, item->etag);
    return res;
  }

  // daprd reads the keys concurrently and answers them in request order; absent keys carry
  // neither data nor etag.
  HttpResponse bulk_get(const HttpRequest& req) {
    const auto keys = parse_bulk_get(req.body());
    if (!keys) return malformed_answer(keys.error(), req);
    auto items = nlohmann::json::array();
    for (const auto& key : *keys) {
      const auto item = state.get(key);
      nlohmann::json entry = {{"key", key}};
      if (!item) {
        entry["error"] = item.error().describe();
      } else if (item->value) {
        entry["data"] = *item->value;
        entry["etag"] = item->etag;
      }
      items.push_back(std::move(entry));
    }
    return json_answer(http::status::ok, items.dump(), req);
  }

  // daprd runs the items of a bulk save one by one here; the first failure is the answer.
  HttpResponse save(const HttpRequest& req, const std::string& store) {
    const auto writes = parse_state_writes(req.body());
    if (!writes) return malformed_answer(writes.error(), req);
    for (const auto& write : *writes)
      if (const auto saved = state.save(write); !saved)
        return save_error_answer(saved.error(), store, req);
    return empty_answer(http::status::no_content, req);
  }

  HttpResponse remove(const HttpRequest& req, const Target& target, const std::string& key) {
    const auto del = parse_state_delete(req, target, key);
    if (!del) return malformed_answer(del.error(), req);
    if (const auto removed = state.remove(*del); !removed)
      return delete_error_answer(removed.error(), key, req);
    return empty_answer(http::status::no_content, req);
  }

  HttpResponse transact(const HttpRequest& req) {
    const auto ops = parse_transaction(req.body());
    if (!ops) return malformed_answer(ops.error(), req);
    if (const auto done = state.transact(*ops); !done)
      return transaction_error_answer(done.error(), req);
    return empty_answer(http::status::no_content, req);
  }

  FakeStateStore& state;
  std::unique_ptr<asio::io_context> io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  std::uint16_t port = 0;
  std::atomic<std::size_t> accepted{0};
  std::atomic<bool> recording{true};

  mutable std::mutex mutex;  // everything below, touched by the server thread and the test
  std::vector<RecordedRequest> requests;
  std::size_t request_total = 0;  // since the last clear_recorded(), recorded or not
  std::vector<PublishedEvent> published;
  std::deque<Fault> faults;
  std::string api_token;
  std::map<std::string, BindingAnswer> bindings;
  bool healthy = true;
};

FakeSidecarServer::FakeSidecarServer(const Clock& clock)
    : owned_state_(std::make_unique<FakeStateStore>(clock)),
      impl_(std::make_unique<Impl>(*owned_state_)) {}

FakeSidecarServer::FakeSidecarServer(FakeStateStore& state)
    : impl_(std::make_unique<Impl>(state)) {}

FakeSidecarServer::~FakeSidecarServer() {
  stop();
}

void FakeSidecarServer::start() {
  if (impl_->io) throw std::logic_error("FakeSidecarServer already started");
  impl_->io = std::make_unique<asio::io_context>(1);
  impl_->acceptor = std::make_unique<tcp::acceptor>(
      *impl_->io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  impl_->port = impl_->acceptor->local_endpoint().port();
  asio::co_spawn(*impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([io = impl_->io.get()] { io->run(); });
}

// Stopping the io_context and then destroying it destroys every suspended session coroutine,
// and with it its socket: each connection is closed, no handler runs after this.
void FakeSidecarServer::stop() {
  if (!impl_->io) return;
  impl_->io->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->acceptor.reset();
  impl_->io.reset();
}

std::uint16_t FakeSidecarServer::port() const {
  return impl_->port;
}

std::string FakeSidecarServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

FakeStateStore& FakeSidecarServer::state() {
  return impl_->state;
}

std::vector<RecordedRequest> FakeSidecarServer::requests() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::size_t FakeSidecarServer::request_count() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->request_total;
}

void FakeSidecarServer::stop_recording() {
  impl_->recording = false;
}

std::vector<PublishedEvent> FakeSidecarServer::published() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->published;
}

std::size_t FakeSidecarServer::connections_accepted() const {
  return impl_->accepted.load();
}

void FakeSidecarServer::clear_recorded() {
  const std::lock_guard lock(impl_->mutex);
  impl_->requests.clear();
  impl_->request_total = 0;
  impl_->published.clear();
}

void FakeSidecarServer::require_api_token(std::string token) {
  const std::lock_guard lock(impl_->mutex);
  impl_->api_token = std::move(token);
}

void FakeSidecarServer::script_binding(const std::string& name, int status, std::string body) {
  const std::lock_guard lock(impl_->mutex);
  impl_->bindings[name] = Impl::BindingAnswer{status, std::move(body)};
}

void FakeSidecarServer::set_healthy(bool healthy) {
  const std::lock_guard lock(impl_->mutex);
  impl_->healthy = healthy;
}

void FakeSidecarServer::fail_next(int count, int status, std::string path_prefix) {
  impl_->add_fault({Impl::FaultKind::status, status, {}, std::move(path_prefix), count});
}

void FakeSidecarServer::close_next(int count, std::string path_prefix) {
  impl_->add_fault({Impl::FaultKind::close, 0, {}, std::move(path_prefix), count});
}

void FakeSidecarServer::delay_next(int count, std::chrono::milliseconds delay,
                                   std::string path_prefix) {
  impl_->add_fault({Impl::FaultKind::delay, 0, delay, std::move(path_prefix), count});
}

}  // namespace tew::testing
