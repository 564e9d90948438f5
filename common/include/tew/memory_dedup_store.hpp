// In-process dedup: the claim state machine in a map bounded by capacity and TTL, every
// operation O(1). Good for one replica; across replicas use SidecarDedupStore.
#pragma once

#include <cstddef>
#include <memory>

#include "tew/clock.hpp"
#include "tew/dedup_store.hpp"

namespace tew {

// When full, the oldest record is evicted first (records are kept in insertion order and
// expire in that order, since every record of one kind has the same TTL). Thread-safe.
class MemoryDedupStore final : public DedupStore {
 public:
  MemoryDedupStore(const Clock& clock, DedupPolicy policy, std::size_t capacity);
  ~MemoryDedupStore() override;

  asio::awaitable<Result<Claim>> claim(const DedupKey& key) override;
  asio::awaitable<Result<void>> complete(const DedupKey& key, const Claim& claim) override;
  asio::awaitable<Result<void>> release(const DedupKey& key, const Claim& claim) override;

  std::size_t size() const;
  std::size_t capacity() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tew
