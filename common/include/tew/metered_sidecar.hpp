// A Sidecar that counts and times publishes into Metrics and forwards everything to the
// real one, so every service's follow-on publishes show in /metrics without asking.
#pragma once

#include "tew/metrics.hpp"
#include "tew/sidecar.hpp"

namespace tew {

class MeteredSidecar final : public Sidecar {
 public:
  MeteredSidecar(Sidecar& inner, Metrics& metrics) : inner_(inner), metrics_(metrics) {}

  asio::awaitable<Result<void>> publish(const PublishRequest& request) override;
  asio::awaitable<Result<StateItem>> get_state(const std::string& store,
                                               const std::string& key) override {
    return inner_.get_state(store, key);
  }
  asio::awaitable<Result<std::vector<StateItem>>> get_state_bulk(
      const std::string& store, const std::vector<std::string>& keys) override {
    return inner_.get_state_bulk(store, keys);
  }
  asio::awaitable<Result<void>> save_state(const std::string& store,
                                           const std::vector<StateWrite>& items) override {
    return inner_.save_state(store, items);
  }
  asio::awaitable<Result<void>> delete_state(const std::string& store,
                                             const StateDelete& item) override {
    return inner_.delete_state(store, item);
  }
  asio::awaitable<Result<void>> transact(const std::string& store,
                                         const std::vector<StateOperation>& ops) override {
    return inner_.transact(store, ops);
  }
  asio::awaitable<Result<BindingResponse>> invoke_binding(const BindingRequest& request) override {
    return inner_.invoke_binding(request);
  }
  asio::awaitable<bool> healthy() override { return inner_.healthy(); }

 private:
  Sidecar& inner_;
  Metrics& metrics_;
};

}  // namespace tew
