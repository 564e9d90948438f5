// Deduplication by event id with claim / complete / release: a completed event is never
// handled again, one still in flight is not handled twice, and a failed one is released so
// its redelivery is handled. Key = consumer + CloudEvent source + id.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "tew/error.hpp"

namespace tew {

namespace asio = boost::asio;

struct DedupKey {
  std::string consumer;  // who handles: app id + route, so two handlers of one event differ
  std::string source;
  std::string id;

  // Unambiguous text form: each part length-prefixed, "<n>:<consumer>|<n>:<source>|<n>:<id>".
  std::string str() const;
};

enum class ClaimState {
  acquired,      // ours: run the handler, then complete() or release()
  already_done,  // completed before: acknowledge without running the handler
  in_flight,     // another worker holds a live lease: answer RETRY
};

struct Claim {
  ClaimState state = ClaimState::acquired;
  std::string owner;  // random per claim attempt; only the owner completes or releases
  std::string etag;   // version of the claim record, for guarded writes (store-specific)
};

class DedupStore {
 public:
  virtual ~DedupStore() = default;
  // Insert-if-absent. A record claimed with an expired lease is taken over.
  virtual asio::awaitable<Result<Claim>> claim(const DedupKey& key) = 0;
  // Marks the event done; duplicates are acknowledged for the done-TTL from now on.
  virtual asio::awaitable<Result<void>> complete(const DedupKey& key, const Claim& claim) = 0;
  // Forgets the claim so a redelivery is handled.
  virtual asio::awaitable<Result<void>> release(const DedupKey& key, const Claim& claim) = 0;
};

struct DedupPolicy {
  std::chrono::seconds lease{30};        // how long a claim protects an event in flight
  std::chrono::seconds done_ttl{86400};  // longer than the broker's longest redelivery window
};

}  // namespace tew
