// A durable schedule of ids, each due at a point in time, kept in a Dapr state store and
// indexed by time bucket, so a tick reads only what is due. Safe with any number of replicas.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tew/clock.hpp"
#include "tew/error.hpp"
#include "tew/sidecar.hpp"

namespace tew {

struct DueIndexOptions {
  std::string store;       // Dapr state store name
  std::string key_prefix;  // every key starts with it, e.g. "reminder|reminders|"
  // Width of a time bucket. Read when the index is first created and kept in its cursor;
  // a later change of this option does not change an existing index (it is logged).
  std::chrono::seconds bucket_width{60};
  int max_buckets_per_tick = 60;         // closed buckets a tick walks at most
  int max_firings_per_tick = 500;        // firings (and missed records) a tick makes at most
  std::chrono::seconds claim_lease{60};  // a firing claim not finished by then is taken over
  // A due time further back than this when its firing is first attempted is recorded as
  // missed instead of fired. nullopt: always fire, however late.
  std::optional<std::chrono::seconds> max_lateness;
  std::chrono::seconds finished_ttl{30 * 86400};  // fired, cancelled and missed records expire
  int max_conflicts = 8;  // ETag conflicts a write retries (re-read, re-decide) before failing
  // How far apart the clocks of the replicas sharing the index may be. A tick only seals a
  // bucket that has ended by its clock, so a listing in a bucket ending later than this
  // replica's now + clock_skew needs no second look at the cursor (one state call fewer).
  std::chrono::seconds clock_skew{30};
};

enum class DueState { scheduled, fired, cancelled, missed };
std::string_view to_string(DueState state);

// A tick firing the record: set with an ETag-guarded write before the fire callback runs.
struct DueClaim {
  std::string owner;        // random per claim
  Timestamp lease_until;    // after it, another tick takes the firing over
  Timestamp first_attempt;  // when firing this due time was first attempted; kept on takeover
  friend bool operator==(const DueClaim&, const DueClaim&) = default;
};

struct DueRecord {
  std::string id;
  DueState state = DueState::scheduled;
  std::optional<Timestamp> due;                       // required when scheduled
  nlohmann::json payload = nlohmann::json::object();  // the owner's data, stored as is
  std::optional<Timestamp> settled_at;                // when it was marked fired or missed
  std::optional<DueClaim> claim;  // maintained by the index; Change results ignore it
  friend bool operator==(const DueRecord&, const DueRecord&) = default;
};

// What the fire callback gets: the record and the time of the first attempt at firing it,
// which is the same for a retry or a takeover, so a re-fire can build the identical event.
struct DueFiring {
  const DueRecord& record;
  Timestamp attempt_time;
  Timestamp now;
};

struct TickReport {
  int buckets_passed = 0;  // closed buckets finished; the cursor moved past them
  int records_read = 0;    // records of due entries looked at
  int fired = 0;
  int missed = 0;
  int held = 0;                // being fired by another live claim: looked at again next tick
  bool caught_up = false;      // walked up to the bucket of now
  std::optional<Error> error;  // the first failure; whatever it left unfinished is retried
};

// State keys (daprd adds "<app-id>||"):
//   <prefix>record|<id>        {"id","state","due","payload","settled_at","claim":{...}}
//   <prefix>bucket|<start>     {"entries":[{"id","due"}],"sealed":bool}   start RFC 3339
//   <prefix>cursor             {"bucket_seconds":60,"next":"<start of first unfinished bucket>"}
// Every write is first-write: an insert when the key is absent, else guarded by the ETag just
// read (Redis ignores ETags on last-write saves). Nothing relies on multi-key atomicity:
// - update() writes the record, then lists the id in the bucket of its due time (or the first
//   bucket the tick has not finished), then, unless that bucket ends more than clock_skew
//   from now, reads the cursor again and lists it once more if a tick passed that bucket
//   meanwhile. A stale entry (the record moved on) is skipped at tick.
// - A tick seals each bucket whose time has passed (ETag write) before it reads the records
//   listed in it; an append that finds a bucket sealed goes to the next one. The tick then
//   claims each due record (ETag write with a lease), calls `fire`, marks it fired, and moves
//   the cursor past the buckets it finished (ETag write, never backwards), then deletes them.
//   A bucket with a record it could not finish (error, or claimed elsewhere) stops the walk.
// - The bucket of now is read at every tick without being sealed, so a record fires at the
//   first tick after its time, whatever the bucket width.
// - A cursor that is gone (an evicted or wiped key) is put back by the tick of a replica that
//   read it before, where that replica last saw it; an index no replica knew stays empty.
// Cost of a tick: a few reads and writes per bucket walked, plus the records listed in the
// buckets walked (read in bulk, 100 per call) and the firings; never the whole schedule.
class DueIndex {
 public:
  // Decides the record to store from the one stored (nullopt: none), or nullopt to keep it.
  // Pure: it may run again on an ETag conflict, with the record re-read.
  using Change = std::function<std::optional<DueRecord>(const std::optional<DueRecord>& stored)>;
  // Makes the firing's effect (e.g. publishes an event with an id derived from the record).
  // Must be idempotent: after a crash or a lost answer the same due time is fired again.
  using Fire = std::function<asio::awaitable<Result<void>>(const DueFiring& firing)>;

  DueIndex(Sidecar& sidecar, const Clock& clock, DueIndexOptions options);
  ~DueIndex();

  asio::awaitable<Result<std::optional<DueRecord>>> get(const std::string& id);

  // Read-modify-write of the record of `id` (ETag-guarded, re-run on conflict), then, when the
  // result is scheduled, makes sure it is listed in a bucket a tick will still walk (also when
  // nothing changed: a redelivery after a crash repairs the index). A scheduled record whose
  // due time stays the same keeps its claim. Fired, cancelled and missed records are written
  // with `finished_ttl`. Returns the record now stored.
  // `expected_due`: the due time `change` most likely decides. The bucket it falls in is read
  // with the record, in one bulk call; a wrong guess costs a read, never correctness.
  asio::awaitable<Result<std::optional<DueRecord>>> update(
      const std::string& id, const Change& change,
      std::optional<Timestamp> expected_due = std::nullopt);

  // Walks the buckets from the cursor up to now (bounded by the options) and fires every
  // scheduled record that is due, once across all replicas. Errors end up in the report.
  asio::awaitable<TickReport> tick(const Fire& fire);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tew
