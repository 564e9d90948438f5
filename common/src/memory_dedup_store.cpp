#include "tew/memory_dedup_store.hpp"

#include <algorithm>
#include <boost/intrusive/list.hpp>
#include <boost/intrusive/unordered_set.hpp>
#include <boost/uuid/uuid.hpp>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "tew/name_uuid.hpp"

namespace tew {

namespace {

namespace bi = boost::intrusive;

// A key is kept as a name-based UUID (SHA-1 of DedupKey::str(), 122 free bits), not as text:
// 16 bytes instead of ~100. Two live keys collide with probability ~n²/2¹²³ (1e-25 at 1M).
using Digest = boost::uuids::uuid;

Digest digest_of(const DedupKey& key) {
  // A fixed namespace of our own, so these digests never equal event ids derived elsewhere.
  static constexpr Digest kNamespace{{0x5c, 0x0e, 0x6a, 0x61, 0x8f, 0x3b, 0x4d, 0x2e, 0x9a, 0x17,
                                      0x61, 0x1d, 0xed, 0x0b, 0x57, 0x0e}};
  return name_uuid(kNamespace, key.str());
}

struct DigestHash {
  std::size_t operator()(const Digest& d) const noexcept {
    std::size_t h = 0;  // the digest is already uniform: its first bytes are the hash
    std::memcpy(&h, d.data, sizeof h);
    return h;
  }
};

// One allocation per record: both hooks live in the node (normal_link: no safe-mode checks).
// 8 (hash link) + 16 (list links) + 16 + 8 + 8 = 56 bytes, a 64-byte malloc chunk, plus one
// 8-byte bucket per unit of capacity: 72 bytes per record at full capacity, as measured by
// memory_dedup_store_test.cpp (a std::string key in std::list + std::unordered_map: ~250).
struct Record : bi::unordered_set_base_hook<bi::link_mode<bi::normal_link>>,
                bi::list_base_hook<bi::link_mode<bi::normal_link>> {
  Digest key{};
  Timestamp expires{};           // lease_until while claimed, end of done_ttl when done
  std::uint64_t owner : 63 = 0;  // kept when done, so the owner may complete twice
  std::uint64_t done : 1 = 0;
};
static_assert(sizeof(Record) == 56);

struct RecordKey {
  using type = Digest;
  const Digest& operator()(const Record& r) const { return r.key; }
};

using Index = bi::unordered_set<Record, bi::key_of_value<RecordKey>, bi::hash<DigestHash>>;
using RecordList = bi::list<Record>;
constexpr auto kDispose = std::default_delete<Record>{};
constexpr std::size_t kInitialBuckets = 1024;

std::optional<std::uint64_t> parse_owner(const std::string& owner) {
  std::uint64_t value = 0;
  const auto* end = owner.data() + owner.size();
  const auto [ptr, ec] = std::from_chars(owner.data(), end, value);
  if (ec != std::errc{} || ptr != end || value == 0) return std::nullopt;
  return value;
}

Error not_held(std::string_view what) {
  return Error::invalid("dedup", std::string(what));
}

}  // namespace

struct MemoryDedupStore::Impl {
  Impl(const Clock& c, DedupPolicy p, std::size_t cap)
      : clock(c),
        policy(p),
        capacity(cap),
        buckets(std::min(cap, kInitialBuckets)),
        index({buckets.data(), buckets.size()}) {}

  ~Impl() {
    index.clear();
    claimed.clear_and_dispose(kDispose);
    done.clear_and_dispose(kDispose);
  }

  Result<Claim> claim(const Digest& key);
  Result<void> complete(const Digest& key, const Claim& claim);
  Result<void> release(const Digest& key, const Claim& claim);

  // The record kept for `key`, after purging what has expired; nullptr when there is none.
  Record* find(const Digest& key, Timestamp now);
  void purge_expired(Timestamp now);
  void evict_oldest();
  // The bucket array grows with the records, doubling up to one bucket per unit of capacity,
  // so an idle store costs kilobytes, not 8 bytes times its capacity (8 MB at the default
  // 1 M). Each doubling rehashes every record once: O(1) per insert over the store's life.
  void grow_for_insert() {
    if (index.size() < buckets.size() || buckets.size() >= capacity) return;
    std::vector<Index::bucket_type> bigger(std::min(capacity, buckets.size() * 2));
    index.rehash({bigger.data(), bigger.size()});
    buckets.swap(bigger);
  }
  // As SidecarDedupStore's claim record, a claim is kept for a second lease after its own: its
  // owner, if not taken over, may still complete it.
  Timestamp kept_until(const Record& r) const {
    return r.done ? r.expires : r.expires + policy.lease;
  }
  void erase(Record& r) {
    index.erase(index.iterator_to(r));
    (r.done ? done : claimed).erase_and_dispose(RecordList::s_iterator_to(r), kDispose);
  }
  // Moves `r` to the back of `to`: lists stay in expiry order because every record of one
  // kind lives equally long.
  void move_to_back(Record& r, RecordList& to) {
    to.splice(to.end(), r.done ? done : claimed, RecordList::s_iterator_to(r));
  }

  const Clock& clock;
  const DedupPolicy policy;
  const std::size_t capacity;
  mutable std::mutex mutex;
  std::vector<Index::bucket_type> buckets;
  Index index;
  RecordList claimed;  // by lease expiry
  RecordList done;     // by done expiry
  std::uint64_t next_owner = 1;
  std::uint64_t evictions = 0;
};

Record* MemoryDedupStore::Impl::find(const Digest& key, Timestamp now) {
  purge_expired(now);
  const auto it = index.find(key);
  if (it == index.end()) return nullptr;
  // Lists are purged from the front only; a clock set back can leave an expired record behind.
  if (kept_until(*it) <= now) {
    erase(*it);
    return nullptr;
  }
  return &*it;
}

void MemoryDedupStore::Impl::purge_expired(Timestamp now) {
  for (auto* list : {&claimed, &done})
    while (!list->empty() && kept_until(list->front()) <= now)
      erase(list->front());
}

void MemoryDedupStore::Impl::evict_oldest() {
  // A done record is the one least likely to see a duplicate soon; an evicted live claim would
  // let a concurrent duplicate run right now.
  erase(done.empty() ? claimed.front() : done.front());
  ++evictions;
}

Result<Claim> MemoryDedupStore::Impl::claim(const Digest& key) {
  const std::lock_guard lock(mutex);
  const auto now = clock.now();
  Record* record = find(key, now);
  if (record && record->done) return Claim{ClaimState::already_done, {}, {}};
  if (record && record->expires > now) return Claim{ClaimState::in_flight, {}, {}};
  if (record) {  // the lease ran out: take over
    move_to_back(*record, claimed);
  } else {
    if (index.size() >= capacity) evict_oldest();
    grow_for_insert();
    auto node = std::make_unique<Record>();
    node->key = key;
    index.insert(*node);
    claimed.push_back(*node);
    record = node.release();  // owned by the lists now, disposed through kDispose
  }
  record->owner = next_owner++;
  record->expires = now + policy.lease;
  return Claim{ClaimState::acquired, std::to_string(record->owner), {}};
}

Result<void> MemoryDedupStore::Impl::complete(const Digest& key, const Claim& claim) {
  const auto owner = parse_owner(claim.owner);
  const std::lock_guard lock(mutex);
  const auto now = clock.now();
  Record* record = find(key, now);
  if (!record) return not_held("claim no longer held (lease expired)");
  if (!owner || record->owner != *owner) return not_held("claim is held by another owner");
  if (record->done) return {};
  move_to_back(*record, done);
  record->done = 1;
  record->expires = now + policy.done_ttl;
  return {};
}

Result<void> MemoryDedupStore::Impl::release(const Digest& key, const Claim& claim) {
  const auto owner = parse_owner(claim.owner);
  const std::lock_guard lock(mutex);
  Record* record = find(key, clock.now());
  if (!record) return {};  // nothing held any more: a redelivery will be handled anyway
  if (!owner || record->owner != *owner) return not_held("claim is held by another owner");
  if (record->done) return not_held("event already completed");
  erase(*record);
  return {};
}

MemoryDedupStore::MemoryDedupStore(const Clock& clock, DedupPolicy policy, std::size_t capacity) {
  if (capacity == 0) throw std::invalid_argument("MemoryDedupStore: capacity must be positive");
  impl_ = std::make_unique<Impl>(clock, policy, capacity);
}

MemoryDedupStore::~MemoryDedupStore() = default;

asio::awaitable<Result<Claim>> MemoryDedupStore::claim(const DedupKey& key) {
  co_return impl_->claim(digest_of(key));
}

asio::awaitable<Result<void>> MemoryDedupStore::complete(const DedupKey& key, const Claim& claim) {
  co_return impl_->complete(digest_of(key), claim);
}

asio::awaitable<Result<void>> MemoryDedupStore::release(const DedupKey& key, const Claim& claim) {
  co_return impl_->release(digest_of(key), claim);
}

std::size_t MemoryDedupStore::size() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->index.size();
}

std::size_t MemoryDedupStore::capacity() const {
  return impl_->capacity;
}

std::uint64_t MemoryDedupStore::evictions() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->evictions;
}

}  // namespace tew
