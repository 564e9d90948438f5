// A model of daprd's state API over state.redis, as DAPR_NOTES.md describes it and our e2e
// tests check: ETags are versions, first-write without an ETag inserts only if absent (a
// rejection is HTTP 500 ERR_STATE_SAVE, not 409), an ETag mismatch is 409, TTLs expire by
// the clock. Shared by the in-process FakeSidecar and the HTTP FakeSidecarServer.
#pragma once

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
  //   ETag mismatch or ETag on an absent key → ErrorKind::conflict, 409, ERR_STATE_SAVE
  //   first-write insert of an existing key   → ErrorKind::unavailable, 500, ERR_STATE_SAVE
  Result<StateItem> get(const std::string& key);
  Result<void> save(const StateWrite& write);
  Result<void> remove(const StateDelete& del);
  // Applied one by one, not atomically (as on Redis); the first failure stops it.
  Result<void> transact(const std::vector<StateOperation>& ops);

  std::optional<Entry> peek(const std::string& key);
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
