// libcurl's multi interface driven by an Asio executor: curl's sockets are Asio sockets that
// are waited on, its timeouts an Asio timer, so transfers run on the executor's own thread with
// no blocking call and no hand-off to another thread (curl's socket API, curl_multi_socket_action).
#pragma once

#include <curl/curl.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tew {

namespace asio = boost::asio;

// Not thread-safe: every call comes from `executor`'s one thread (the service's io_context runs
// on one). Connections are kept in the multi handle's cache and reused by later transfers; at
// most `max_connections` are open at once, and transfers beyond that wait in curl's queue.
class CurlMulti {
 public:
  CurlMulti(asio::any_io_executor executor, long max_connections);
  // Transfers still in flight are taken out of the multi handle; their awaiters, if ever resumed
  // (their io_context is being destroyed), are not.
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // An easy handle, reset, for the caller to configure; back to the multi's spares when the
  // Easy goes, so handles (and their buffers) are reused.
  class Easy {
   public:
    Easy(Easy&& other) noexcept
        : handle_(std::exchange(other.handle_, nullptr)), spares_(std::move(other.spares_)) {}
    Easy& operator=(Easy&&) = delete;
    ~Easy();
    CURL* get() const { return handle_; }

   private:
    friend class CurlMulti;
    struct Spares;
    Easy(CURL* handle, std::shared_ptr<Spares> spares)
        : handle_(handle), spares_(std::move(spares)) {}
    CURL* handle_;
    std::shared_ptr<Spares> spares_;
  };
  Easy easy();

  // Runs the transfer configured on `easy` to its end: CURLE_OK, or why it failed. `easy` must
  // not be in a transfer already (CURLOPT_PRIVATE belongs to this class).
  asio::awaitable<CURLcode> perform(const Easy& easy);

  // Transfers added and not finished yet.
  std::size_t in_flight() const { return transfers_.size(); }

 private:
  struct Transfer;
  // A socket curl asked us to watch: one it opened through us (a connection), or one of its own
  // (such as its resolver's wake-up socket), which is watched and never closed here.
  struct Watched {
    std::optional<asio::ip::tcp::socket> socket;
    std::optional<asio::posix::stream_descriptor> foreign;
    int wanted = 0;  // CURL_POLL_IN / OUT / INOUT, as curl last asked
    bool reading = false;
    bool writing = false;
  };

  static curl_socket_t open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
  static int close_socket(void* self, curl_socket_t fd);
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);

  void watch(curl_socket_t fd);
  void act(curl_socket_t fd, int events);
  void finish_done();

  asio::any_io_executor executor_;
  CURLM* multi_;
  asio::steady_timer timer_;     // curl's nearest deadline, or an earlier one
  bool timer_armed_ = false;     // a wait on timer_ is pending
  bool timeout_posted_ = false;  // a call for a timeout of 0 is posted and has not run yet
  std::unordered_map<curl_socket_t, std::unique_ptr<Watched>> sockets_;
  std::unordered_set<Transfer*> transfers_;
  std::shared_ptr<Easy::Spares> spares_;
  // Handlers already queued when the multi goes (a wait that completed, not yet run) find it
  // expired: only the executor's thread touches it, so expired() is enough.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace tew
