// The Dapr sidecar as the services see it: publish, state with ETags, output bindings,
// health. An interface, so handlers are tested against a fake and run against CurlSidecar.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tew/cloud_event.hpp"
#include "tew/error.hpp"

namespace tew {

namespace asio = boost::asio;

// Publishes `event` as a complete CloudEvent (Content-Type application/cloudevents+json), so
// daprd keeps our id, source and type: a re-run publishes the identical event.
struct PublishRequest {
  std::string pubsub;
  std::string topic;
  CloudEvent event;
  std::string traceparent;  // of the event being handled; sent as the `traceparent` header
  std::map<std::string, std::string> metadata;  // sent as `?metadata.<k>=<v>`
};

enum class Concurrency { last_write, first_write };
enum class Consistency { eventual, strong };

struct StateItem {
  std::string key;
  std::optional<nlohmann::json> value;  // nullopt: the key does not exist
  std::string etag;                     // empty when absent
};

struct StateWrite {
  std::string key;
  nlohmann::json value;
  std::optional<std::string> etag;  // sent as "etag"; a mismatch is ErrorKind::conflict
  Concurrency concurrency = Concurrency::last_write;
  Consistency consistency = Consistency::strong;
  std::optional<std::chrono::seconds> ttl;  // metadata.ttlInSeconds
};

struct StateDelete {
  std::string key;
  std::optional<std::string> etag;  // sent as If-Match
  Concurrency concurrency = Concurrency::last_write;
};

using StateOperation = std::variant<StateWrite, StateDelete>;

struct BindingRequest {
  std::string name;
  std::string operation = "create";
  nlohmann::json data;
  std::map<std::string, std::string> metadata;
};

struct BindingResponse {
  int http_status = 0;
  std::string body;
};

// Errors: ErrorKind::unavailable for connection failures, timeouts and 5xx (after the client's
// retries), conflict for 409, rejected for other 4xx; Error::code carries daprd's errorCode.
class Sidecar {
 public:
  virtual ~Sidecar() = default;

  virtual asio::awaitable<Result<void>> publish(const PublishRequest& request) = 0;

  virtual asio::awaitable<Result<StateItem>> get_state(const std::string& store,
                                                       const std::string& key) = 0;
  // Several keys in one call (`POST /v1.0/state/{store}/bulk`): one item per key, in the order
  // of `keys`, each as get_state would return it (no value when absent). A key the store could
  // not read fails the whole call (ErrorKind::unavailable, naming the key).
  virtual asio::awaitable<Result<std::vector<StateItem>>> get_state_bulk(
      const std::string& store, const std::vector<std::string>& keys) = 0;
  virtual asio::awaitable<Result<void>> save_state(const std::string& store,
                                                   const std::vector<StateWrite>& items) = 0;
  virtual asio::awaitable<Result<void>> delete_state(const std::string& store,
                                                     const StateDelete& item) = 0;
  virtual asio::awaitable<Result<void>> transact(const std::string& store,
                                                 const std::vector<StateOperation>& ops) = 0;

  virtual asio::awaitable<Result<BindingResponse>> invoke_binding(
      const BindingRequest& request) = 0;

  // `GET /v1.0/healthz/outbound` answered 2xx: the sidecar is ready for our calls.
  virtual asio::awaitable<bool> healthy() = 0;
};

}  // namespace tew
