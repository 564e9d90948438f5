#include "curl_multi.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace tew {

namespace {

using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

struct CurlMulti::Easy::Spares {
  std::vector<CURL*> handles;
  ~Spares() {
    for (CURL* handle : handles)
      curl_easy_cleanup(handle);
  }
};

// Lives in perform()'s frame while curl runs it; found again through CURLOPT_PRIVATE.
struct CurlMulti::Transfer {
  CURL* easy;
  CurlMulti* multi;             // null once the multi is gone
  asio::steady_timer finished;  // cancelled when `result` is set: wakes perform()
  std::optional<CURLcode> result;
};

CurlMulti::Easy::~Easy() {
  if (handle_ == nullptr) return;
  curl_easy_reset(handle_);
  spares_->handles.push_back(handle_);
}

CurlMulti::CurlMulti(asio::any_io_executor executor, long max_connections)
    : executor_(std::move(executor)),
      multi_(curl_multi_init()),
      timer_(executor_),
      spares_(std::make_shared<Easy::Spares>()) {
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_connections);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_connections);
}

CurlMulti::~CurlMulti() {
  for (Transfer* t : transfers_) {
    curl_multi_remove_handle(multi_, t->easy);
    t->multi = nullptr;
  }
  transfers_.clear();
  curl_multi_cleanup(multi_);  // closes cached connections through close_socket
  for (auto& [fd, watched] : sockets_)
    if (watched->foreign) watched->foreign->release();  // curl's, not ours to close
  sockets_.clear();
}

CurlMulti::Easy CurlMulti::easy() {
  CURL* handle = nullptr;
  if (!spares_->handles.empty()) {
    handle = spares_->handles.back();
    spares_->handles.pop_back();
  } else if ((handle = curl_easy_init()) == nullptr) {
    throw std::bad_alloc();
  }
  return Easy(handle, spares_);
}

asio::awaitable<CURLcode> CurlMulti::perform(const Easy& easy) {
  Transfer transfer{easy.get(), this, asio::steady_timer(executor_), std::nullopt};
  transfer.finished.expires_at(asio::steady_timer::time_point::max());
  curl_easy_setopt(easy.get(), CURLOPT_OPENSOCKETFUNCTION, &CurlMulti::open_socket);
  curl_easy_setopt(easy.get(), CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy.get(), CURLOPT_CLOSESOCKETFUNCTION, &CurlMulti::close_socket);
  curl_easy_setopt(easy.get(), CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(easy.get(), CURLOPT_PRIVATE, &transfer);
  if (curl_multi_add_handle(multi_, easy.get()) != CURLM_OK) co_return CURLE_FAILED_INIT;
  transfers_.insert(&transfer);
  // Should this frame be destroyed before the transfer ends (its io_context going away while
  // the multi lives), curl must not keep a pointer to it.
  struct Abandon {
    Transfer& transfer;
    ~Abandon() {
      if (transfer.result || transfer.multi == nullptr) return;
      transfer.multi->transfers_.erase(&transfer);
      curl_multi_remove_handle(transfer.multi->multi_, transfer.easy);
    }
  } abandon{transfer};
  while (!transfer.result)
    co_await transfer.finished.async_wait(kTuple);
  co_return *transfer.result;
}

// curl opens its sockets through us, so each is an Asio socket on our executor from the start
// and stays registered with the reactor for the connection's whole life.
curl_socket_t CurlMulti::open_socket(void* self, curlsocktype purpose, curl_sockaddr* address) {
  auto& multi = *static_cast<CurlMulti*>(self);
  if (purpose != CURLSOCKTYPE_IPCXN || address->socktype != SOCK_STREAM) return CURL_SOCKET_BAD;
  if (address->family != AF_INET && address->family != AF_INET6) return CURL_SOCKET_BAD;
  auto watched = std::make_unique<Watched>();
  watched->socket.emplace(multi.executor_);
  boost::system::error_code ec;
  watched->socket->open(address->family == AF_INET ? tcp::v4() : tcp::v6(), ec);
  if (ec) return CURL_SOCKET_BAD;
  const auto fd = watched->socket->native_handle();
  multi.sockets_[fd] = std::move(watched);
  return fd;
}

// Closing the Asio socket ends its pending waits with operation_aborted.
int CurlMulti::close_socket(void* self, curl_socket_t fd) {
  auto& multi = *static_cast<CurlMulti*>(self);
  multi.sockets_.erase(fd);
  return 0;
}

int CurlMulti::on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  auto& multi = *static_cast<CurlMulti*>(self);
  auto it = multi.sockets_.find(fd);
  if (it == multi.sockets_.end()) {
    if (what == CURL_POLL_REMOVE) return 0;
    auto watched = std::make_unique<Watched>();
    boost::system::error_code ec;
    watched->foreign.emplace(multi.executor_);
    watched->foreign->assign(fd, ec);
    if (ec) return -1;
    it = multi.sockets_.emplace(fd, std::move(watched)).first;
  }
  if (what == CURL_POLL_REMOVE && it->second->foreign) {
    it->second->foreign->release();  // pending waits end as aborted; the fd stays curl's
    multi.sockets_.erase(it);
    return 0;
  }
  it->second->wanted = what == CURL_POLL_REMOVE ? 0 : what;
  multi.watch(fd);
  return 0;
}

// curl must not be called from inside its own callbacks, so even a timeout of 0 runs later: as a
// posted handler, which costs no timer. A later timeout leaves an earlier one armed (as does -1,
// "none"): curl asked to be told when its nearest deadline passes and takes an early call in its
// stride, answering with the time left. Re-arming the one Asio timer to each new deadline (curl
// moves it with every transfer) made the reactor reprogram its timerfd each time, a quarter of
// the service's CPU under load.
int CurlMulti::on_timer(CURLM*, long timeout_ms, void* self) {
  auto& multi = *static_cast<CurlMulti*>(self);
  if (timeout_ms < 0) return 0;
  if (timeout_ms == 0) {
    if (!std::exchange(multi.timeout_posted_, true))
      asio::post(multi.executor_, [&multi, alive = std::weak_ptr(multi.alive_)] {
        if (alive.expired()) return;
        multi.timeout_posted_ = false;
        multi.act(CURL_SOCKET_TIMEOUT, 0);
      });
    return 0;
  }
  const auto deadline =
      asio::steady_timer::clock_type::now() + std::chrono::milliseconds(timeout_ms);
  if (multi.timer_armed_ && multi.timer_.expiry() <= deadline) return 0;
  multi.timer_armed_ = true;
  multi.timer_.expires_at(deadline);
  multi.timer_.async_wait([&multi, alive = std::weak_ptr(multi.alive_)](const auto& ec) {
    if (ec == asio::error::operation_aborted || alive.expired()) return;  // re-armed, or gone
    multi.timer_armed_ = false;
    multi.act(CURL_SOCKET_TIMEOUT, 0);
  });
  return 0;
}

// Starts the waits curl asked for on `fd` that are not pending yet. A wait that completes checks
// that curl still wants it, tells curl, then arms again what curl still wants.
void CurlMulti::watch(curl_socket_t fd) {
  const auto arm = [this, fd](bool Watched::*pending, bool read, int poll, int event) {
    Watched& w = *sockets_.at(fd);
    if (!(w.wanted & poll) || w.*pending) return;
    w.*pending = true;
    auto done = [this, alive = std::weak_ptr(alive_), fd, pending, poll,
                 event](const boost::system::error_code& ec) {
      if (ec == asio::error::operation_aborted || alive.expired()) return;  // closed, or gone
      const auto it = sockets_.find(fd);
      if (it == sockets_.end()) return;
      (*it->second).*pending = false;
      if (!(it->second->wanted & poll)) return;
      act(fd, ec ? CURL_CSELECT_ERR : event);
      if (sockets_.contains(fd)) watch(fd);
    };
    if (w.socket)
      w.socket->async_wait(read ? tcp::socket::wait_read : tcp::socket::wait_write,
                           std::move(done));
    else
      w.foreign->async_wait(read ? asio::posix::stream_descriptor::wait_read
                                 : asio::posix::stream_descriptor::wait_write,
                            std::move(done));
  };
  arm(&Watched::reading, true, CURL_POLL_IN, CURL_CSELECT_IN);
  arm(&Watched::writing, false, CURL_POLL_OUT, CURL_CSELECT_OUT);
}

void CurlMulti::act(curl_socket_t fd, int events) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, events, &running);
  finish_done();
}

// Hands each finished transfer its result and takes it out of the multi handle.
void CurlMulti::finish_done() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    Transfer* transfer = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
    const CURLcode result = message->data.result;
    curl_multi_remove_handle(multi_, message->easy_handle);
    if (transfer == nullptr || transfers_.erase(transfer) == 0) continue;
    transfer->result = result;
    transfer->finished.cancel();
  }
}

}  // namespace tew
