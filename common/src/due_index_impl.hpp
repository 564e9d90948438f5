// The due index's internals, shared by its two halves: due_index.cpp (records, the cursor,
// listing ids in buckets) and due_index_tick.cpp (walking buckets and firing).
#pragma once

#include <atomic>
#include <mutex>
#include <optional>

#include "due_index_state.hpp"
#include "tew/due_index.hpp"

namespace tew {

struct DueIndex::Impl {
  Impl(Sidecar& sidecar, const Clock& c, DueIndexOptions o);

  template <class T>
  using Found = Result<std::optional<due_index::Stored<T>>>;

  asio::awaitable<Found<DueRecord>> read_record(const std::string& id);
  // First-write, guarded by `etag` ("" inserts); finished records get finished_ttl, scheduled
  // ones lose any TTL a finished one had left on the key.
  asio::awaitable<Result<void>> write_record(const DueRecord& record, const std::string& etag);

  asio::awaitable<Found<due_index::Cursor>> read_cursor();
  // The cursor, created at the bucket of now when there is none yet.
  asio::awaitable<Result<due_index::Cursor>> cursor_or_create();
  // The bucket; an absent one is empty, with an empty ETag.
  asio::awaitable<Result<due_index::Stored<due_index::Bucket>>> read_bucket(
      const due_index::Layout& layout, due_index::BucketNo n);
  // A bucket read before it was needed (with the record, see DueIndex::update).
  struct Prefetched {
    due_index::Layout layout;
    due_index::BucketNo n = 0;
    due_index::Stored<due_index::Bucket> bucket;
  };
  // Where a listing of `due` starts looking, when the cursor this index knows is enough to
  // tell (see ensure_listed); nullopt when the cursor must be read first.
  std::optional<std::pair<due_index::Layout, due_index::BucketNo>> listing_target(
      Timestamp due) const;
  // The record of `id` and, when `expected_due` has a listing target, that bucket, in one call.
  asio::awaitable<Found<DueRecord>> read_record_and_bucket(const std::string& id,
                                                           std::optional<Timestamp> expected_due,
                                                           std::optional<Prefetched>& prefetched);
  // Lists (id, due) in a bucket that a tick will still walk; see due_index.hpp.
  asio::awaitable<Result<void>> ensure_listed(const std::string& id, Timestamp due,
                                              std::optional<Prefetched> prefetched);

  asio::awaitable<TickReport> tick(Fire fire);  // by value: kept in the coroutine frame

  // Counted as a failure in messages: "… after <n> conflicting writes".
  Error too_many_conflicts(std::string_view what) const;

  const Clock& clock;
  const DueIndexOptions options;
  due_index::StateAccess state;
  const due_index::Keys keys;
  std::atomic<bool> layout_warned{false};

  // The cursor as this index last read it: where a listing starts looking (see ensure_listed).
  std::optional<due_index::Cursor> known_cursor() const;
  void remember(const due_index::Cursor& cursor);

 private:
  mutable std::mutex cursor_mutex;
  std::optional<due_index::Cursor> last_cursor;

  struct Walk;
  enum class Settled { yes, pending, failed };

  // Inserts `known` as the cursor (unless another replica did first) and reads it back.
  asio::awaitable<Found<due_index::Cursor>> restore_cursor(const due_index::Cursor& known);
  asio::awaitable<Result<due_index::Stored<due_index::Bucket>>> seal_bucket(
      const due_index::Layout& layout, due_index::BucketNo n);
  asio::awaitable<bool> run_bucket(const due_index::Bucket& bucket, Walk& walk);
  asio::awaitable<Settled> settle(const std::string& id,
                                  std::optional<due_index::Stored<nlohmann::json>> current,
                                  Walk& walk);
  asio::awaitable<Result<void>> mark_fired(const DueRecord& claimed, Timestamp now);
  asio::awaitable<void> release(const DueRecord& claimed, Timestamp now);
  asio::awaitable<void> advance_cursor(const due_index::Stored<due_index::Cursor>& read,
                                       due_index::BucketNo to, Walk& walk);
};

}  // namespace tew
