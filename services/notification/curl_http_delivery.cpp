#include "notification/curl_http_delivery.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <stdexcept>

namespace tew::notification {

namespace {

void init_curl_once() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK)
    throw std::runtime_error(std::string("curl_global_init: ") + curl_easy_strerror(code));
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// One easy handle per pool thread, for the connection cache; freed when the pool joins.
CURL* thread_handle() {
  thread_local const std::unique_ptr<CURL, EasyDeleter> handle{curl_easy_init()};
  return handle.get();
}

void append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();
  list.reset(grown);
}

// Keeps at most kMaxAnswerBytes of the answer and reads the rest away: a chatty endpoint must
// not fail a delivery it accepted.
std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* out) {
  auto& body = *static_cast<std::string*>(out);
  const auto n = size * count;
  body.append(data, std::min(n, kMaxAnswerBytes - std::min(body.size(), kMaxAnswerBytes)));
  return n;
}

std::string_view failure_name(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return "could not connect";
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out";
    default:
      return "connection failed";
  }
}

// One blocking POST on this thread's handle; options are reset before and after, so no pointer
// into this frame outlives it.
Result<HttpAnswer> perform(const HttpPost& request) {
  CURL* curl = thread_handle();
  if (curl == nullptr) return Error::unavailable("webhook", "curl_easy_init failed");
  curl_easy_reset(curl);
  Slist headers;
  append(headers, "Expect:");  // no 100-continue round trip
  append(headers, "Content-Type: " + request.content_type);
  for (const auto& [name, value] : request.headers)
    append(headers, name + ": " + value);
  HttpAnswer answer;
  char error_text[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());

  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_reset(curl);
  if (code != CURLE_OK) {
    // libcurl's words may name the host, never the path or query, where a token would be.
    const std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    return Error::unavailable("webhook", std::string(failure_name(code)) + ": " + detail);
  }
  answer.status = static_cast<int>(status);
  return answer;
}

// An exception must not escape into a pool thread, where it would end the process.
Result<HttpAnswer> perform_caught(const HttpPost& request) {
  try {
    return perform(request);
  } catch (const std::exception& e) {
    return Error::unavailable("webhook", e.what());
  }
}

}  // namespace

struct CurlHttpDelivery::Impl {
  explicit Impl(unsigned threads) : pool(std::max(1u, threads)) {}

  // Runs the POST on the pool; the awaiting coroutine resumes on its own executor.
  template <class Token>
  auto async_post(const HttpPost& request, Token&& token) {
    return asio::async_initiate<Token, void(Result<HttpAnswer>)>(
        [this, &request](auto handler) {
          auto caller = asio::make_work_guard(asio::get_associated_executor(handler));
          const std::lock_guard lock(mutex);
          if (stopped) {
            asio::post(caller.get_executor(), [handler = std::move(handler)]() mutable {
              std::move(handler)(
                  Result<HttpAnswer>(Error::unavailable("webhook", "client stopped")));
            });
            return;
          }
          asio::post(
              pool, [&request, handler = std::move(handler), caller = std::move(caller)]() mutable {
                auto answer = perform_caught(request);
                asio::post(caller.get_executor(),
                           [handler = std::move(handler), answer = std::move(answer)]() mutable {
                             std::move(handler)(std::move(answer));
                           });
              });
        },
        token);
  }

  asio::thread_pool pool;
  std::mutex mutex;  // orders stop() against POSTs being handed to the pool
  bool stopped = false;
};

CurlHttpDelivery::CurlHttpDelivery(unsigned pool_threads) {
  init_curl_once();
  impl_ = std::make_unique<Impl>(pool_threads);
}

CurlHttpDelivery::~CurlHttpDelivery() {
  stop();
}

void CurlHttpDelivery::stop() {
  {
    const std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->pool.join();
}

asio::awaitable<Result<HttpAnswer>> CurlHttpDelivery::post(const HttpPost& request) {
  co_return co_await impl_->async_post(request, asio::use_awaitable);
}

}  // namespace tew::notification
