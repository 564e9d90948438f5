#include "tew/sidecar_dedup_store.hpp"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "tew/rfc3339.hpp"

namespace tew {

namespace {

// A fresh insert creates the Redis hash and HINCRBYs its version from nothing to 1
// (components-contrib state/redis), so the ETag of a record we just inserted is known without
// reading it back. FakeStateStore models this and the e2e tests check it against Redis.
constexpr const char* kInsertedEtag = "1";

enum class RecordState { claimed, done };

struct Record {
  RecordState state = RecordState::claimed;
  std::string owner;
  Timestamp lease_until{};  // claimed only
};

std::string state_key(const DedupKey& key) {
  return "dedup|" + key.str();
}

std::string new_owner() {
  return boost::uuids::to_string(boost::uuids::random_generator{}());
}

// A record we cannot read is never overwritten: someone else's claim may be in it.
Result<Record> parse_record(const nlohmann::json& value, const std::string& key) {
  const auto corrupted = [&key](std::string why) {
    return Error::unavailable("dedup", "unreadable claim record at " + key + ": " + why);
  };
  if (!value.is_object()) return corrupted("not an object");
  const auto state = value.find("state");
  const auto owner = value.find("owner");
  if (state == value.end() || !state->is_string()) return corrupted("no state");
  if (owner == value.end() || !owner->is_string()) return corrupted("no owner");

  Record record;
  record.owner = owner->get<std::string>();
  if (*state == "done") {
    record.state = RecordState::done;
    return record;
  }
  if (*state != "claimed") return corrupted("unknown state");
  const auto lease = value.find("lease_until");
  if (lease == value.end() || !lease->is_string()) return corrupted("no lease_until");
  auto until = parse_rfc3339(lease->get<std::string>(), "lease_until");
  if (!until) return corrupted(until.error().describe());
  record.lease_until = *until;
  return record;
}

// `cause` seen from the dedup store: transient whatever the sidecar said (a 4xx from daprd on
// a request we built is no reason to drop the event), a conflict stays a conflict.
Error failed(std::string_view what, const Error& cause) {
  Error e = cause;
  if (e.kind != ErrorKind::conflict) e.kind = ErrorKind::unavailable;
  e.subject = "dedup";
  e.message = std::string(what) + ": " + cause.describe();
  return e;
}

Error unavailable(std::string_view what, const Error& cause) {
  Error e = failed(what, cause);
  e.kind = ErrorKind::unavailable;
  return e;
}

struct StoredRecord {
  Record record;
  std::string etag;
};

// The record at `key` with its ETag; nullopt when there is none.
asio::awaitable<Result<std::optional<StoredRecord>>> read_record(Sidecar& sidecar,
                                                                 const std::string& store,
                                                                 const std::string& key) {
  auto item = co_await sidecar.get_state(store, key);
  if (!item) co_return unavailable("claim read failed", item.error());
  if (!item->value) co_return std::optional<StoredRecord>{};
  auto record = parse_record(*item->value, key);
  if (!record) co_return record.error();
  co_return StoredRecord{std::move(*record), std::move(item->etag)};
}

// The claim record lives for two leases: an owner whose lease ran out but who was not taken
// over still completes, and an expired lease stays visible, to be taken over with an ETag,
// instead of vanishing while its owner may still be working. Abandoned claims expire in Redis.
StateWrite claim_write(const std::string& key, const std::string& owner,
                       std::optional<std::string> etag, Timestamp now, const DedupPolicy& policy) {
  StateWrite write;
  write.key = key;
  write.value = {
      {"state", "claimed"}, {"owner", owner}, {"lease_until", format_rfc3339(now + policy.lease)}};
  write.etag = std::move(etag);
  write.concurrency = Concurrency::first_write;
  write.ttl = 2 * policy.lease;
  return write;
}

Error not_ours() {
  return Error::invalid("dedup", "claim is held by another owner");
}

}  // namespace

SidecarDedupStore::SidecarDedupStore(Sidecar& sidecar, const Clock& clock, std::string store,
                                     DedupPolicy policy)
    : sidecar_(sidecar), clock_(clock), store_(std::move(store)), policy_(policy) {}

asio::awaitable<Result<Claim>> SidecarDedupStore::claim(const DedupKey& key) {
  const auto skey = state_key(key);
  const auto owner = new_owner();
  // Requests are named before co_await: g++ 12 miscompiles braced temporaries in its operand.
  const std::vector<StateWrite> insert{claim_write(skey, owner, {}, clock_.now(), policy_)};
  const auto inserted = co_await sidecar_.save_state(store_, insert);
  if (inserted) co_return Claim{ClaimState::acquired, owner, kInsertedEtag};

  // The insert failed because the record exists (daprd's 500 for first-write), or our write
  // landed and its answer was lost, or the store is down. The record tells which.
  auto item = co_await sidecar_.get_state(store_, skey);
  if (!item) co_return unavailable("claim read failed", item.error());
  if (!item->value) co_return unavailable("claim insert failed", inserted.error());
  auto record = parse_record(*item->value, skey);
  if (!record) co_return record.error();
  if (record->state == RecordState::done) co_return Claim{ClaimState::already_done, {}, {}};
  if (record->owner == owner) co_return Claim{ClaimState::acquired, owner, item->etag};
  if (record->lease_until > clock_.now()) co_return Claim{ClaimState::in_flight, {}, {}};

  // The lease ran out: its owner died or stalled. Take over, guarded by the ETag just read.
  const std::vector<StateWrite> takeover{
      claim_write(skey, owner, item->etag, clock_.now(), policy_)};
  const auto taken = co_await sidecar_.save_state(store_, takeover);
  // The new ETag is the store's business; complete() reads it back.
  if (taken) co_return Claim{ClaimState::acquired, owner, {}};
  // Another worker took it over first. A takeover that landed with its answer lost also ends
  // here (as an error): our forgotten claim then holds redeliveries off for one lease.
  if (taken.error().kind == ErrorKind::conflict) co_return Claim{ClaimState::in_flight, {}, {}};
  co_return unavailable("claim takeover failed", taken.error());
}

// A conflict here means our lease ran out and another worker took the event over: its effects
// and ours are idempotent, and the pipeline only logs that the event could not be marked done.
// An owner that stalled past its record's TTL may find a new claim at the same version "1" and
// mark it done: harmless, our effects ran and the new owner's run is idempotent.
asio::awaitable<Result<void>> SidecarDedupStore::complete(const DedupKey& key, const Claim& claim) {
  const auto skey = state_key(key);
  auto etag = claim.etag;
  if (etag.empty()) {  // after a takeover: learn the ETag, and that the claim is still ours
    auto stored = co_await read_record(sidecar_, store_, skey);
    if (!stored) co_return stored.error();
    if (!*stored) co_return Error::invalid("dedup", "claim no longer held (lease expired)");
    if ((*stored)->record.owner != claim.owner) co_return not_ours();
    if ((*stored)->record.state == RecordState::done) co_return Result<void>{};
    etag = (*stored)->etag;
  }
  std::vector<StateWrite> done(1);
  done[0].key = skey;
  done[0].value = {
      {"state", "done"}, {"owner", claim.owner}, {"done_at", format_rfc3339(clock_.now())}};
  done[0].etag = etag;
  done[0].concurrency = Concurrency::first_write;
  done[0].ttl = policy_.done_ttl;
  const auto saved = co_await sidecar_.save_state(store_, done);
  if (!saved) co_return failed("complete failed", saved.error());
  co_return Result<void>{};
}

// Reads before deleting, although the delete is ETag-guarded: a record that expired and was
// claimed anew starts again at version 1, the very ETag an owner who stalled past its record's
// TTL still holds. Deleting that claim would let a third delivery run beside its new owner.
asio::awaitable<Result<void>> SidecarDedupStore::release(const DedupKey& key, const Claim& claim) {
  const auto skey = state_key(key);
  auto stored = co_await read_record(sidecar_, store_, skey);
  if (!stored) co_return stored.error();
  if (!*stored) co_return Result<void>{};  // already gone: the redelivery will be handled
  if ((*stored)->record.owner != claim.owner) co_return not_ours();
  if ((*stored)->record.state == RecordState::done)
    co_return Error::invalid("dedup", "event already completed");
  StateDelete del;
  del.key = skey;
  del.etag = (*stored)->etag;
  del.concurrency = Concurrency::first_write;
  const auto deleted = co_await sidecar_.delete_state(store_, del);
  if (!deleted) co_return failed("release failed", deleted.error());
  co_return Result<void>{};
}

}  // namespace tew
