// An in-process tew::Sidecar for unit tests of handlers: state through a FakeStateStore,
// publishes and binding calls recorded, faults injected per kind of call, and a hook before
// every call so a test can put a competing writer between a read and a write, deterministically.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fake_state_store.hpp"
#include "tew/sidecar.hpp"

namespace tew::testing {

enum class SidecarCallKind {
  publish,
  get_state,
  get_state_bulk,
  save_state,
  delete_state,
  transact,
  binding
};

struct SidecarCall {
  SidecarCallKind kind = SidecarCallKind::publish;
  std::string target;             // pubsub/topic, store, or binding name
  std::vector<std::string> keys;  // state keys touched, in request order
};

// Every method co_returns at once: no threads, no timers. Every store name maps to the one
// FakeStateStore. Thread-safe; the hook runs without any lock of the fake held.
class FakeSidecar final : public Sidecar {
 public:
  explicit FakeSidecar(const Clock& clock);     // with a state store of its own
  explicit FakeSidecar(FakeStateStore& state);  // sharing one, e.g. two replicas of an app

  asio::awaitable<Result<void>> publish(const PublishRequest& request) override;
  asio::awaitable<Result<StateItem>> get_state(const std::string& store,
                                               const std::string& key) override;
  asio::awaitable<Result<std::vector<StateItem>>> get_state_bulk(
      const std::string& store, const std::vector<std::string>& keys) override;
  asio::awaitable<Result<void>> save_state(const std::string& store,
                                           const std::vector<StateWrite>& items) override;
  asio::awaitable<Result<void>> delete_state(const std::string& store,
                                             const StateDelete& item) override;
  asio::awaitable<Result<void>> transact(const std::string& store,
                                         const std::vector<StateOperation>& ops) override;
  asio::awaitable<Result<BindingResponse>> invoke_binding(const BindingRequest& request) override;
  asio::awaitable<bool> healthy() override;

  FakeStateStore& state() { return state_; }

  // --- what the fake saw ---
  std::vector<SidecarCall> calls() const;                   // every call, failed ones too
  std::vector<PublishRequest> published() const;            // publishes daprd accepted
  std::vector<StateWrite> state_writes() const;             // every save_state item requested
  std::vector<StateDelete> state_deletes() const;           // every delete_state requested
  std::vector<BindingRequest> binding_invocations() const;  // every invoke_binding
  void clear_recorded();

  // --- scripting ---
  // Answers of the next invocations of binding `name`, in order; then {200, ""}.
  void script_binding(const std::string& name, Result<BindingResponse> answer);
  void set_healthy(bool healthy);
  // The next `count` calls of `kind` fail with `error` and do nothing.
  void fail_next(SidecarCallKind kind, Error error, int count = 1);
  // The next `count` calls of `kind` take effect, but their answer is lost: the caller gets
  // `error`, as after a timeout once daprd had written.
  void lose_next_answers(SidecarCallKind kind, Error error, int count = 1);
  // Called before each call (before faults are applied), e.g. to let a second replica run
  // between this one's read and write. Replaces any previous hook; nullptr removes it.
  void on_call(std::function<void(const SidecarCall&)> hook);

 private:
  enum class FaultTiming { before, after };
  struct Fault {
    SidecarCallKind kind;
    FaultTiming timing;
    Error error;
    int remaining;
  };

  // Records `call`, runs the hook, and takes the fault due for this call, if any.
  std::optional<Fault> begin(SidecarCall call);
  template <class T>
  Result<T> finish(const std::optional<Fault>& fault, Result<T> outcome);

  std::unique_ptr<FakeStateStore> owned_state_;
  FakeStateStore& state_;

  mutable std::mutex mutex_;
  std::function<void(const SidecarCall&)> hook_;
  std::vector<SidecarCall> calls_;
  std::vector<PublishRequest> published_;
  std::vector<StateWrite> state_writes_;
  std::vector<StateDelete> state_deletes_;
  std::vector<BindingRequest> binding_invocations_;
  std::map<std::string, std::deque<Result<BindingResponse>>> binding_answers_;
  std::deque<Fault> faults_;
  bool healthy_ = true;
};

}  // namespace tew::testing
