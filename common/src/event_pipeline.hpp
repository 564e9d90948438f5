// The pipeline every topic delivery runs through, in one place so no handler can skip a
// step: validate → claim the event id → handle → complete (or release) → answer.
#pragma once

#include "tew/dapr_app.hpp"

namespace tew {

struct TopicRoute {
  TopicSubscription spec;
  PrepareHandler prepare;
};

class EventPipeline {
 public:
  EventPipeline(AppDeps deps, const AppOptions& options) : deps_(deps), options_(options) {}

  // One event for `route`, or the reason it could not be read. Never throws; every failure
  // becomes RETRY (transient) or DROP (the event itself is bad), logged and counted.
  asio::awaitable<Outcome> deliver(const TopicRoute& route, Result<CloudEvent> event);

 private:
  asio::awaitable<Outcome> run_claimed(const TopicRoute& route, const CloudEvent& event,
                                       const TopicHandler& handler);

  AppDeps deps_;
  const AppOptions& options_;
};

}  // namespace tew
