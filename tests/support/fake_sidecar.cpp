#include "fake_sidecar.hpp"

#include <algorithm>

namespace tew::testing {

FakeSidecar::FakeSidecar(const Clock& clock)
    : owned_state_(std::make_unique<FakeStateStore>(clock)), state_(*owned_state_) {}

FakeSidecar::FakeSidecar(FakeStateStore& state) : state_(state) {}

std::optional<FakeSidecar::Fault> FakeSidecar::begin(SidecarCall call) {
  std::function<void(const SidecarCall&)> hook;
  {
    const std::lock_guard lock(mutex_);
    calls_.push_back(call);
    hook = hook_;
  }
  if (hook) hook(call);

  const std::lock_guard lock(mutex_);
  const auto it = std::find_if(faults_.begin(), faults_.end(),
                               [&](const Fault& f) { return f.kind == call.kind; });
  if (it == faults_.end()) return std::nullopt;
  Fault due = *it;
  if (--it->remaining == 0) faults_.erase(it);
  return due;
}

template <class T>
Result<T> FakeSidecar::finish(const std::optional<Fault>& fault, Result<T> outcome) {
  if (fault) return fault->error;  // only a lost answer gets here: the call took effect
  return outcome;
}

asio::awaitable<Result<void>> FakeSidecar::publish(const PublishRequest& request) {
  const auto fault = begin({SidecarCallKind::publish, request.pubsub + "/" + request.topic, {}});
  if (fault && fault->timing == FaultTiming::before) co_return fault->error;
  {
    const std::lock_guard lock(mutex_);
    published_.push_back(request);
  }
  co_return finish<void>(fault, {});
}

asio::awaitable<Result<StateItem>> FakeSidecar::get_state(const std::string& store,
                                                          const std::string& key) {
  const auto fault = begin({SidecarCallKind::get_state, store, {key}});
  if (fault && fault->timing == FaultTiming::before) co_return fault->error;
  co_return finish(fault, state_.get(key));
}

asio::awaitable<Result<std::vector<StateItem>>> FakeSidecar::get_state_bulk(
    const std::string& store, const std::vector<std::string>& keys) {
  const auto fault = begin({SidecarCallKind::get_state_bulk, store, keys});
  if (fault && fault->timing == FaultTiming::before) co_return fault->error;
  std::vector<StateItem> items;
  for (const auto& key : keys) {
    auto item = state_.get(key);
    if (!item) co_return finish<std::vector<StateItem>>(fault, item.error());
    items.push_back(std::move(*item));
  }
  co_return finish<std::vector<StateItem>>(fault, std::move(items));
}

asio::awaitable<Result<void>> FakeSidecar::save_state(const std::string& store,
                                                      const std::vector<StateWrite>& items) {
  SidecarCall call{SidecarCallKind::save_state, store, {}};
  for (const auto& item : items)
    call.keys.push_back(item.key);
  {
    const std::lock_guard lock(mutex_);
    state_writes_.insert(state_writes_.end(), items.begin(), items.end());
  }
  const auto fault = begin(std::move(call));
  if (fault && fault->timing == FaultTiming::before) co_return fault->error;
  // daprd saves every item of a bulk request and reports the first failure.
  Result<void> outcome;
  for (const auto& item : items)
    if (auto r = state_.save(item); !r && outcome) outcome = r;
  co_return finish(fault, std::move(outcome));
}

asio::awaitable<Result<void>> FakeSidecar::delete_state(const std::string& store,
                                                        const StateDelete& item) {
  {
    const std::lock_guard lock(mutex_);
    state_deletes_.push_back(item);
  }
  const auto fault = begin({SidecarCallKind::delete_state, store, {item.key}});
  if (fault && fault->timing == FaultTiming::before) co_return fault->error;
  co_return finish(fault, state_.remove(item));
}

asio::awaitable<Result<void>> FakeSidecar::transact(const std::string& store,
                                                    const std::vector<StateOperation>& ops) {
  SidecarCall call{SidecarCallKind::transact, store, {}};
  for (const auto& op : ops)
    call.keys.push_back(std::visit([](const auto& o) { return o.key; }, op));
  const auto fault = begin(std::move(call));
  if (fault && fault->timing == FaultTiming::before) co_return fault->error;
  co_return finish(fault, state_.transact(ops));
}

asio::awaitable<Result<BindingResponse>> FakeSidecar::invoke_binding(
    const BindingRequest& request) {
  {
    const std::lock_guard lock(mutex_);
    binding_invocations_.push_back(request);
  }
  const auto fault = begin({SidecarCallKind::binding, request.name, {}});
  if (fault && fault->timing == FaultTiming::before) co_return fault->error;
  Result<BindingResponse> answer = BindingResponse{200, {}};
  {
    const std::lock_guard lock(mutex_);
    if (auto& queue = binding_answers_[request.name]; !queue.empty()) {
      answer = std::move(queue.front());
      queue.pop_front();
    }
  }
  co_return finish(fault, std::move(answer));
}

asio::awaitable<bool> FakeSidecar::healthy() {
  const std::lock_guard lock(mutex_);
  co_return healthy_;
}

std::vector<SidecarCall> FakeSidecar::calls() const {
  const std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<PublishRequest> FakeSidecar::published() const {
  const std::lock_guard lock(mutex_);
  return published_;
}

std::vector<StateWrite> FakeSidecar::state_writes() const {
  const std::lock_guard lock(mutex_);
  return state_writes_;
}

std::vector<StateDelete> FakeSidecar::state_deletes() const {
  const std::lock_guard lock(mutex_);
  return state_deletes_;
}

std::vector<BindingRequest> FakeSidecar::binding_invocations() const {
  const std::lock_guard lock(mutex_);
  return binding_invocations_;
}

void FakeSidecar::clear_recorded() {
  const std::lock_guard lock(mutex_);
  calls_.clear();
  published_.clear();
  state_writes_.clear();
  state_deletes_.clear();
  binding_invocations_.clear();
}

void FakeSidecar::script_binding(const std::string& name, Result<BindingResponse> answer) {
  const std::lock_guard lock(mutex_);
  binding_answers_[name].push_back(std::move(answer));
}

void FakeSidecar::set_healthy(bool healthy) {
  const std::lock_guard lock(mutex_);
  healthy_ = healthy;
}

void FakeSidecar::fail_next(SidecarCallKind kind, Error error, int count) {
  const std::lock_guard lock(mutex_);
  if (count > 0) faults_.push_back(Fault{kind, FaultTiming::before, std::move(error), count});
}

void FakeSidecar::lose_next_answers(SidecarCallKind kind, Error error, int count) {
  const std::lock_guard lock(mutex_);
  if (count > 0) faults_.push_back(Fault{kind, FaultTiming::after, std::move(error), count});
}

void FakeSidecar::on_call(std::function<void(const SidecarCall&)> hook) {
  const std::lock_guard lock(mutex_);
  hook_ = std::move(hook);
}

}  // namespace tew::testing
