// Dedup shared by every replica of an app, kept in a Dapr state store through the sidecar.
// Claim records are only ever written with first-write concurrency (insert-if-absent without
// an ETag, guarded by the ETag afterwards) and expire through ttlInSeconds.
#pragma once

#include <string>

#include "tew/clock.hpp"
#include "tew/dedup_store.hpp"
#include "tew/sidecar.hpp"

namespace tew {

// Record at key "dedup|" + DedupKey::str() (daprd prefixes "<app-id>||"), times RFC 3339 UTC:
//   {"state":"claimed","owner":"<uuid>","lease_until":"<rfc3339>"}  ttl = 2 × lease
//   {"state":"done","owner":"<uuid>","done_at":"<rfc3339>"}          ttl = done_ttl
// claim: first-write insert. If that fails, read the record: done → already_done; claimed by
// us (a retried insert that had landed) → acquired; claimed with a live lease → in_flight;
// claimed with an expired lease → take over with an ETag-guarded first-write save (a conflict
// there → in_flight). Absent after a failed insert → the failure was real → unavailable.
// complete: ETag-guarded first-write save of the done record; a conflict (we were taken over)
// comes back as ErrorKind::conflict. release: read, check we still own it, ETag-guarded
// delete. A record that cannot be parsed is an unavailable error and is never overwritten.
// Relies on Redis' ETags being versions (a fresh insert is "1"); see DAPR_NOTES.md.
class SidecarDedupStore final : public DedupStore {
 public:
  SidecarDedupStore(Sidecar& sidecar, const Clock& clock, std::string store, DedupPolicy policy);

  asio::awaitable<Result<Claim>> claim(const DedupKey& key) override;
  asio::awaitable<Result<void>> complete(const DedupKey& key, const Claim& claim) override;
  asio::awaitable<Result<void>> release(const DedupKey& key, const Claim& claim) override;

 private:
  Sidecar& sidecar_;
  const Clock& clock_;
  std::string store_;
  DedupPolicy policy_;
};

}  // namespace tew
