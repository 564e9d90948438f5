// The due index's documents in the state store (records, buckets, cursor) as JSON, their keys,
// and the guarded reads and writes it makes through the sidecar. See tew/due_index.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tew/due_index.hpp"

namespace tew::due_index {

using BucketNo = std::int64_t;  // bucket n covers [n * width, (n + 1) * width) since the epoch

struct Layout {
  std::chrono::seconds width{60};

  BucketNo of(Timestamp t) const;
  Timestamp start(BucketNo n) const;
  Timestamp end(BucketNo n) const { return start(n + 1); }
};

struct Entry {
  std::string id;
  Timestamp due;
  friend bool operator==(const Entry&, const Entry&) = default;
};

struct Bucket {
  std::vector<Entry> entries;
  bool sealed = false;  // the tick has taken its entries: appends go to a later bucket
};

struct Cursor {
  Layout layout;
  BucketNo next = 0;  // the first bucket not finished
};

struct Keys {
  std::string prefix;

  std::string record(std::string_view id) const { return prefix + "record|" + std::string(id); }
  std::string bucket(const Layout& layout, BucketNo n) const;
  std::string cursor() const { return prefix + "cursor"; }
};

// Unreadable documents are errors (ErrorKind::unavailable naming the key): never overwritten.
nlohmann::json to_json(const DueRecord& record);
Result<DueRecord> record_from_json(const nlohmann::json& doc, const std::string& key);
nlohmann::json to_json(const Bucket& bucket);
Result<Bucket> bucket_from_json(const nlohmann::json& doc, const std::string& key);
nlohmann::json to_json(const Cursor& cursor);
Result<Cursor> cursor_from_json(const nlohmann::json& doc, const std::string& key);

template <class T>
struct Stored {
  T doc;
  std::string etag;
};

// What a read of one key found: nothing, or its document with its ETag.
std::optional<Stored<nlohmann::json>> stored(StateItem item);

// Reads and first-write saves of single keys, and bulk reads.
class StateAccess {
 public:
  StateAccess(Sidecar& sidecar, std::string store) : sidecar_(sidecar), store_(std::move(store)) {}

  // nullopt when the key does not exist.
  asio::awaitable<Result<std::optional<Stored<nlohmann::json>>>> read(const std::string& key);
  // Items for `keys` in order, read in bulk calls of at most 100 keys.
  asio::awaitable<Result<std::vector<StateItem>>> read_many(const std::vector<std::string>& keys);
  // First-write save guarded by `etag`, or an insert-if-absent when `etag` is empty. A guard
  // that failed is ErrorKind::conflict: for an insert, daprd answers 500 either way, so the key
  // is read back to tell "someone else inserted it" from a real failure.
  asio::awaitable<Result<void>> write(const std::string& key, nlohmann::json doc,
                                      const std::string& etag,
                                      std::optional<std::chrono::seconds> ttl = std::nullopt);
  // Unconditional delete.
  asio::awaitable<Result<void>> remove(const std::string& key);

 private:
  Sidecar& sidecar_;
  std::string store_;
};

}  // namespace tew::due_index
