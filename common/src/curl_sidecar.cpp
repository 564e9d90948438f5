#include "tew/curl_sidecar.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "curl_multi.hpp"
#include "dapr_http.hpp"
#include "tew/log.hpp"

namespace tew {

namespace {

using dapr_http::Answer;
using dapr_http::Request;
using dapr_http::TransportFailure;

void init_curl_once() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK)
    throw std::runtime_error(std::string("curl_global_init: ") + curl_easy_strerror(code));
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();
  list.reset(grown);
}

Slist header_list(const Request& request, const std::string& api_token) {
  Slist list;
  append(list, "Expect:");  // no 100-continue round trip for larger bodies
  if (!request.content_type.empty()) append(list, "Content-Type: " + request.content_type);
  if (!api_token.empty()) append(list, "dapr-api-token: " + api_token);
  for (const auto& [name, value] : request.headers)
    append(list, name + ": " + value);
  return list;
}

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* answer) {
  static_cast<Answer*>(answer)->body.append(data, size * count);
  return size * count;
}

std::size_t collect_etag(char* data, std::size_t size, std::size_t count, void* answer) {
  std::string_view line(data, size * count);
  auto& etag = static_cast<Answer*>(answer)->etag;
  if (line.starts_with("HTTP/")) etag.clear();  // a new response (after 100 Continue)
  constexpr std::string_view kName = "etag:";
  if (line.size() > kName.size() &&
      std::equal(kName.begin(), kName.end(), line.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    line.remove_prefix(kName.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    etag.assign(line);
  }
  return size * count;
}

TransportFailure failure_of(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::not_connected;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::timed_out;
    default:
      return TransportFailure::broken;
  }
}

// What one attempt needs to stay alive while curl runs it.
struct Attempt {
  Slist headers;
  std::string url;
  char error_text[CURL_ERROR_SIZE] = {};
  Answer answer;
};

// The hosts no call goes through a proxy for: loopback, where the sidecar runs (a cluster-wide
// HTTP_PROXY without a NO_PROXY for it must not divert sidecar calls), and the environment's own
// no_proxy / NO_PROXY (curl's order), read once here. Set explicitly, it also spares curl the
// environment lookups on every call to the sidecar.
std::string no_proxy_hosts() {
  std::string hosts = "localhost,127.0.0.1,::1";
  const char* from_env = std::getenv("no_proxy");
  if (from_env == nullptr || *from_env == '\0') from_env = std::getenv("NO_PROXY");
  if (from_env != nullptr && *from_env != '\0') hosts = hosts + "," + from_env;
  return hosts;
}

void configure(CURL* curl, const SidecarOptions& options, const std::string& no_proxy,
               const Request& request, Attempt& attempt) {
  attempt.headers = header_list(request, options.api_token);
  attempt.url = options.base_url + request.target();
  curl_easy_setopt(curl, CURLOPT_URL, attempt.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, no_proxy.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, attempt.error_text);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, attempt.headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt.answer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_etag);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &attempt.answer);
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    }
  }
}

Answer finished(CURL* curl, CURLcode code, Attempt& attempt) {
  Answer answer = std::move(attempt.answer);
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    answer.status = static_cast<int>(status);
  } else {
    answer.failure = failure_of(code);
    answer.failure_detail =
        attempt.error_text[0] != '\0' ? attempt.error_text : curl_easy_strerror(code);
    answer.body.clear();
    answer.etag.clear();
  }
  return answer;
}

std::chrono::milliseconds full_jitter(std::chrono::milliseconds ceiling) {
  thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(0, ceiling.count());
  return std::chrono::milliseconds(pick(random));
}

}  // namespace

struct CurlSidecar::Impl {
  Impl(asio::any_io_executor executor, SidecarOptions o)
      : options(std::move(o)),
        multi(std::move(executor), static_cast<long>(std::max(1u, options.max_connections))) {}

  struct Sent {
    Answer answer;
    int attempts = 0;
  };

  // One attempt through the multi handle, on the caller's thread: it never blocks in libcurl.
  asio::awaitable<Answer> attempt_once(const Request& request) {
    if (stopped) {
      Answer answer;
      answer.failure = TransportFailure::client_stopped;
      answer.failure_detail = "CurlSidecar::stop() was called";
      co_return answer;
    }
    const auto easy = multi.easy();
    Attempt attempt;
    configure(easy.get(), options, no_proxy, request, attempt);
    const CURLcode code = co_await multi.perform(easy);
    co_return finished(easy.get(), code, attempt);
  }

  asio::awaitable<Sent> send(const Request& request) {
    const int max_attempts = std::max(1, options.max_attempts);
    for (int attempt = 1;; ++attempt) {
      auto answer = co_await attempt_once(request);
      if (attempt >= max_attempts || !dapr_http::retryable(answer, request.retry))
        co_return Sent{std::move(answer), attempt};
      const auto pause = backoff(attempt);
      log_debug("sidecar call failed, retrying",
                {{"request", request.subject()},
                 {"attempt", std::to_string(attempt)},
                 {"error", dapr_http::to_error(request, answer, attempt).message},
                 {"retry_in_ms", std::to_string(pause.count())}});
      asio::steady_timer timer(co_await asio::this_coro::executor, pause);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  // Before retry n (1-based): uniform in [0, min(backoff_max, backoff_base * 2^(n-1))].
  std::chrono::milliseconds backoff(int retry) const {
    auto ceiling = options.backoff_base;
    for (int i = 1; i < retry && ceiling < options.backoff_max; ++i)
      ceiling *= 2;
    return full_jitter(std::min(ceiling, options.backoff_max));
  }

  Result<void> outcome(const Request& request, const Sent& sent) const {
    if (dapr_http::succeeded(sent.answer)) return {};
    return dapr_http::to_error(request, sent.answer, sent.attempts);
  }

  const SidecarOptions options;
  const std::string no_proxy = no_proxy_hosts();
  CurlMulti multi;
  bool stopped = false;
};

CurlSidecar::CurlSidecar(asio::any_io_executor executor, SidecarOptions options) {
  init_curl_once();
  impl_ = std::make_unique<Impl>(std::move(executor), std::move(options));
}

CurlSidecar::~CurlSidecar() {
  stop();
}

// Calls after this fail at once as client_stopped; calls in flight keep their connection until
// the CurlSidecar goes (their io_context has stopped by then, so nothing awaits them).
void CurlSidecar::stop() {
  impl_->stopped = true;
}

asio::awaitable<Result<void>> CurlSidecar::publish(const PublishRequest& request) {
  const auto call = dapr_http::publish_request(request);
  const auto sent = co_await impl_->send(call);
  co_return impl_->outcome(call, sent);
}

asio::awaitable<Result<StateItem>> CurlSidecar::get_state(const std::string& store,
                                                          const std::string& key) {
  const auto call = dapr_http::get_state_request(store, key);
  const auto sent = co_await impl_->send(call);
  if (!dapr_http::succeeded(sent.answer))
    co_return dapr_http::to_error(call, sent.answer, sent.attempts);
  co_return dapr_http::to_state_item(call, key, sent.answer);
}

asio::awaitable<Result<std::vector<StateItem>>> CurlSidecar::get_state_bulk(
    const std::string& store, const std::vector<std::string>& keys) {
  if (keys.empty()) co_return std::vector<StateItem>{};
  const auto call = dapr_http::bulk_get_state_request(store, keys);
  const auto sent = co_await impl_->send(call);
  if (!dapr_http::succeeded(sent.answer))
    co_return dapr_http::to_error(call, sent.answer, sent.attempts);
  co_return dapr_http::to_state_items(call, keys, sent.answer);
}

asio::awaitable<Result<void>> CurlSidecar::save_state(const std::string& store,
                                                      const std::vector<StateWrite>& items) {
  const auto call = dapr_http::save_state_request(store, items);
  const auto sent = co_await impl_->send(call);
  co_return impl_->outcome(call, sent);
}

asio::awaitable<Result<void>> CurlSidecar::delete_state(const std::string& store,
                                                        const StateDelete& item) {
  const auto call = dapr_http::delete_state_request(store, item);
  const auto sent = co_await impl_->send(call);
  co_return impl_->outcome(call, sent);
}

asio::awaitable<Result<void>> CurlSidecar::transact(const std::string& store,
                                                    const std::vector<StateOperation>& ops) {
  const auto call = dapr_http::transact_request(store, ops);
  const auto sent = co_await impl_->send(call);
  co_return impl_->outcome(call, sent);
}

asio::awaitable<Result<BindingResponse>> CurlSidecar::invoke_binding(
    const BindingRequest& request) {
  const auto call = dapr_http::binding_request(request);
  const auto sent = co_await impl_->send(call);
  if (!dapr_http::succeeded(sent.answer))
    co_return dapr_http::to_error(call, sent.answer, sent.attempts);
  co_return BindingResponse{sent.answer.status, sent.answer.body};
}

asio::awaitable<bool> CurlSidecar::healthy() {
  const auto call = dapr_http::health_request();
  const auto sent = co_await impl_->send(call);
  co_return dapr_http::succeeded(sent.answer);
}

}  // namespace tew
