// A model of daprd's state API over state.redis, as DAPR_NOTES.md describes it and our e2e
// tests check: ETags are versions, first-write without an ETag inserts only if absent (a
// rejection is HTTP 500 ERR_STATE_SAVE, not 409), an ETag mismatch is 409, TTLs expire by
// the clock. Shared by the in-process FakeSidecar and the HTTP FakeSidecarServer.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tew/clock.hpp"
#include "tew/sidecar.hpp"

namespace tew::testing {

class FakeStateStore {
 public:
  explicit FakeStateStore(const Clock& clock) : clock_(clock) {}

  struct Entry {
    nlohmann::json value;
    std::int64_t version = 0;
    bool first_write = false;  // written with first-write: a later first-write insert fails
    std::optional<Timestamp> expires;
  };

  // Errors are exactly what CurlSidecar reports for daprd's answer to the same request:
  //   ETag mismatch or ETag on an absent key  → ErrorKind::conflict, 409, ERR_STATE_SAVE
  //   first-write insert of a first-write key → ErrorKind::unavailable, 500, ERR_STATE_SAVE
  //   delete with a mismatching ETag          → ErrorKind::conflict, 409, ERR_STATE_DELETE
  //   an ETag that is not a version number    → ErrorKind::rejected, 400, ERR_STATE_SAVE
  // A key written without first-write carries no marker: a first-write insert overwrites it.
  // A key created anew (also after a delete or expiry) starts again at version "1", and a
  // delete of an absent key succeeds, as with Redis.
  Result<StateItem> get(const std::string& key);
  Result<void> save(const StateWrite& write);
  Result<void> remove(const StateDelete& del);
  // Applied one by one, not atomically (as on Redis); the first failure stops it. First-write
  // is not honoured inside a transaction (DAPR_NOTES.md): every write is a last-write.
  Result<void> transact(const std::vector<StateOperation>& ops);

  // The entry as stored, expiry applied; for assertions on markers, versions and TTLs.
  std::optional<Entry> peek(const std::string& key);
  // Live keys, after expiry.
  std::size_t size();

 private:
  void expire_locked(const std::string& key);
  Result<void> save_locked(const StateWrite& write);
  Result<void> remove_locked(const StateDelete& del);

  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace tew::testing
