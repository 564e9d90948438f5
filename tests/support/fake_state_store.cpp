#include "fake_state_store.hpp"

#include <charconv>
#include <type_traits>

// Where components-contrib's Redis script (state/redis setDefaultQuery) reads differently,
// this model follows DESIGN.md's contract instead, until e2e against real daprd settles it:
// there, a last-write save ignores the ETag, an ETag on an absent key inserts it, and a
// last-write save of a first-write key is rejected instead of clearing the marker.

namespace tew::testing {

namespace {

// What daprd answers for the Redis script's "failed to set key" when no ETag was sent.
Error save_rejected(const std::string& key) {
  return Error{ErrorKind::unavailable, "state", "failed to set key " + key, 500, "ERR_STATE_SAVE"};
}

Error etag_mismatch(std::string code, const std::string& what) {
  return Error{ErrorKind::conflict, "state",
               "possible etag mismatch. error from state store: " + what, 409, std::move(code)};
}

// Redis parses the ETag as an integer before running its script; daprd answers 400.
Error etag_invalid(const std::string& etag) {
  return Error{ErrorKind::rejected, "state", "invalid etag value: " + etag, 400, "ERR_STATE_SAVE"};
}

std::optional<std::int64_t> parse_version(const std::string& etag) {
  std::int64_t version = 0;
  const auto* end = etag.data() + etag.size();
  const auto [ptr, ec] = std::from_chars(etag.data(), end, version);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return version;
}

// daprd treats an empty ETag like none.
bool has_etag(const std::optional<std::string>& etag) {
  return etag && !etag->empty();
}

}  // namespace

Result<StateItem> FakeStateStore::get(const std::string& key) {
  const std::lock_guard lock(mutex_);
  expire_locked(key);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return StateItem{key, std::nullopt, {}};
  return StateItem{key, it->second.value, std::to_string(it->second.version)};
}

Result<void> FakeStateStore::save(const StateWrite& write) {
  const std::lock_guard lock(mutex_);
  return save_locked(write);
}

Result<void> FakeStateStore::remove(const StateDelete& del) {
  const std::lock_guard lock(mutex_);
  return remove_locked(del);
}

Result<void> FakeStateStore::transact(const std::vector<StateOperation>& ops) {
  const std::lock_guard lock(mutex_);
  for (const auto& op : ops) {
    auto result = std::visit(
        [this](const auto& o) -> Result<void> {
          if constexpr (std::is_same_v<std::decay_t<decltype(o)>, StateWrite>) {
            // /transaction ignores first-write on Redis (DAPR_NOTES.md).
            auto write = o;
            write.concurrency = Concurrency::last_write;
            return save_locked(write);
          } else {
            return remove_locked(o);
          }
        },
        op);
    if (!result) return result;
  }
  return {};
}

std::optional<FakeStateStore::Entry> FakeStateStore::peek(const std::string& key) {
  const std::lock_guard lock(mutex_);
  expire_locked(key);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::size_t FakeStateStore::size() {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  std::erase_if(entries_,
                [now](const auto& kv) { return kv.second.expires && *kv.second.expires <= now; });
  return entries_.size();
}

void FakeStateStore::expire_locked(const std::string& key) {
  const auto it = entries_.find(key);
  if (it != entries_.end() && it->second.expires && *it->second.expires <= clock_.now())
    entries_.erase(it);
}

Result<void> FakeStateStore::save_locked(const StateWrite& write) {
  expire_locked(write.key);
  const auto it = entries_.find(write.key);
  const bool exists = it != entries_.end();
  if (has_etag(write.etag)) {
    const auto version = parse_version(*write.etag);
    if (!version) return etag_invalid(*write.etag);
    if (!exists || it->second.version != *version)
      return etag_mismatch("ERR_STATE_SAVE", "failed to set key " + write.key);
  } else if (write.concurrency == Concurrency::first_write && exists && it->second.first_write) {
    return save_rejected(write.key);
  }

  // Like Redis: a key created anew (also after a delete or expiry) starts again at version 1.
  Entry& entry = entries_[write.key];
  entry.value = write.value;
  entry.version += 1;
  entry.first_write = write.concurrency == Concurrency::first_write;
  // Redis applies ttlInSeconds with EXPIRE (> 0) or PERSIST (<= 0); without it, HSET keeps
  // whatever expiry the key had.
  if (write.ttl) {
    if (write.ttl->count() > 0)
      entry.expires = clock_.now() + *write.ttl;
    else
      entry.expires.reset();
  }
  return {};
}

Result<void> FakeStateStore::remove_locked(const StateDelete& del) {
  expire_locked(del.key);
  const auto it = entries_.find(del.key);
  // Redis' delete script succeeds on an absent key, with or without an ETag.
  if (it == entries_.end()) return {};
  if (has_etag(del.etag) && std::to_string(it->second.version) != *del.etag)
    return etag_mismatch("ERR_STATE_DELETE", "failed to delete " + del.key);
  entries_.erase(it);
  return {};
}

}  // namespace tew::testing
