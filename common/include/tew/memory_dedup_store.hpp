// In-process dedup: the claim state machine in a map bounded by capacity and TTL, every
// operation O(1). Good for one replica; across replicas use SidecarDedupStore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "tew/clock.hpp"
#include "tew/dedup_store.hpp"

namespace tew {

// Done records expire after done_ttl. A claim whose lease ran out is taken over by the next
// claim; until then, and for at most one more lease, its owner may still complete it (as with
// SidecarDedupStore's claim records). Expired records are purged lazily, oldest first. When full,
// the oldest done record is evicted (the oldest claim if none is done): a later duplicate of an
// evicted event runs again, so size the capacity for done_ttl × peak event rate. Keys are kept as
// 128-bit digests, ~72 bytes per record (1M records ≈ 72 MB). Owners are numbers, not UUIDs:
// complete() and release() by anyone but the owner fail with ErrorKind::invalid_input and change
// nothing. Thread-safe.
class MemoryDedupStore final : public DedupStore {
 public:
  // Throws std::invalid_argument for a capacity of 0. Allocates the hash buckets up front.
  MemoryDedupStore(const Clock& clock, DedupPolicy policy, std::size_t capacity);
  ~MemoryDedupStore() override;

  asio::awaitable<Result<Claim>> claim(const DedupKey& key) override;
  asio::awaitable<Result<void>> complete(const DedupKey& key, const Claim& claim) override;
  asio::awaitable<Result<void>> release(const DedupKey& key, const Claim& claim) override;

  // Records held, including expired ones not purged yet; never more than capacity().
  std::size_t size() const;
  std::size_t capacity() const;
  // Records dropped for room before they expired: each is a duplicate that may run again.
  std::uint64_t evictions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tew
