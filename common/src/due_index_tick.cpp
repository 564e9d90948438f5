// DueIndex::tick: walk the buckets from the cursor to now, fire what is due, move the cursor.
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <set>

#include "due_index_impl.hpp"
#include "tew/log.hpp"
#include "tew/rfc3339.hpp"

namespace tew {

using due_index::Bucket;
using due_index::BucketNo;
using due_index::Cursor;
using due_index::Layout;
using due_index::Stored;

namespace {

std::string new_owner() {
  return boost::uuids::to_string(boost::uuids::random_generator{}());
}

LogFields record_fields(const DueIndexOptions& options, const DueRecord& record) {
  return {{"index", options.key_prefix},
          {"id", record.id},
          {"due", record.due ? format_rfc3339(*record.due) : ""}};
}

}  // namespace

// One tick's state: its time, its callback, its budget and what it has done so far.
struct DueIndex::Impl::Walk {
  const Fire& fire;
  const Timestamp now;
  int firings_left;
  TickReport report;

  void failed(Error e) {
    if (!report.error) report.error = std::move(e);
  }
};

asio::awaitable<TickReport> DueIndex::Impl::tick(Fire fire) {
  Walk walk{fire, clock.now(), options.max_firings_per_tick, {}};
  auto cursor = co_await read_cursor();
  if (!cursor) {
    walk.failed(cursor.error());
    co_return walk.report;
  }
  if (!*cursor) {
    const auto known = known_cursor();
    if (!known) {  // nothing was ever scheduled: every first listing creates the cursor
      walk.report.caught_up = true;
      co_return walk.report;
    }
    // This index knew a cursor, so it was lost (an evicted or wiped key). Listings in buckets
    // that end after now + clock_skew do not read it, so without one nothing would fire: it is
    // put back where this replica last saw it, which no later bucket can be before.
    cursor = co_await restore_cursor(*known);
    if (!cursor || !*cursor) {
      walk.failed(cursor ? Error::unavailable("due index", "the cursor could not be restored")
                         : cursor.error());
      co_return walk.report;
    }
  }
  const Layout layout = (*cursor)->doc.layout;
  BucketNo next = (*cursor)->doc.next;
  while (true) {
    if (layout.start(next) > walk.now) {
      walk.report.caught_up = true;
      break;
    }
    const bool closed = layout.end(next) <= walk.now;
    if (closed && walk.report.buckets_passed >= options.max_buckets_per_tick) break;
    Result<Stored<Bucket>> bucket = Stored<Bucket>{};
    if (closed)
      bucket = co_await seal_bucket(layout, next);
    else
      bucket = co_await read_bucket(layout, next);
    if (!bucket) {
      walk.failed(bucket.error());
      break;
    }
    const bool finished = co_await run_bucket(bucket->doc, walk);
    if (!closed) {  // the bucket of now stays open for appends; it is read again next tick
      walk.report.caught_up = true;
      break;
    }
    if (!finished) break;
    ++next;
    ++walk.report.buckets_passed;
  }
  if (next > (*cursor)->doc.next) co_await advance_cursor(**cursor, next, walk);
  co_return walk.report;
}

asio::awaitable<DueIndex::Impl::Found<Cursor>> DueIndex::Impl::restore_cursor(const Cursor& known) {
  log_warn(
      "due index cursor missing; restored from the one this replica last read",
      {{"index", options.key_prefix}, {"next", format_rfc3339(known.layout.start(known.next))}});
  auto written = co_await state.write(keys.cursor(), due_index::to_json(known), "");
  if (!written && written.error().kind != ErrorKind::conflict) co_return written.error();
  co_return co_await read_cursor();  // ours, or the one another replica put back first
}

// From here on appends go to later buckets, so the entries returned are all there will be.
asio::awaitable<Result<Stored<Bucket>>> DueIndex::Impl::seal_bucket(const Layout& layout,
                                                                    BucketNo n) {
  for (int attempt = 0; attempt <= options.max_conflicts; ++attempt) {
    auto bucket = co_await read_bucket(layout, n);
    if (!bucket || bucket->doc.sealed) co_return bucket;
    bucket->doc.sealed = true;
    auto sealed =
        co_await state.write(keys.bucket(layout, n), due_index::to_json(bucket->doc), bucket->etag);
    if (sealed) co_return bucket;
    if (sealed.error().kind != ErrorKind::conflict) co_return sealed.error();
  }
  co_return too_many_conflicts("sealing a bucket");
}

// True when every entry due by now is settled: fired, missed, or not (any longer) due here.
asio::awaitable<bool> DueIndex::Impl::run_bucket(const Bucket& bucket, Walk& walk) {
  std::vector<std::string> ids;
  std::set<std::string_view> seen;
  for (const auto& entry : bucket.entries)
    if (entry.due <= walk.now && seen.insert(entry.id).second) ids.push_back(entry.id);
  if (ids.empty()) co_return true;

  std::vector<std::string> record_keys;
  for (const auto& id : ids)
    record_keys.push_back(keys.record(id));
  auto items = co_await state.read_many(record_keys);
  if (!items) {
    walk.failed(items.error());
    co_return false;
  }
  walk.report.records_read += static_cast<int>(ids.size());
  bool finished = true;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto settled = co_await settle(ids[i], due_index::stored(std::move((*items)[i])), walk);
    if (settled == Settled::failed) co_return false;
    if (settled == Settled::pending) finished = false;
  }
  co_return finished;
}

// Claim (ETag), fire, mark fired; or record it missed. A conflict re-reads and decides again.
asio::awaitable<DueIndex::Impl::Settled> DueIndex::Impl::settle(
    const std::string& id, std::optional<Stored<nlohmann::json>> current, Walk& walk) {
  const auto key = keys.record(id);
  for (int attempt = 0; attempt <= options.max_conflicts; ++attempt) {
    if (!current) co_return Settled::yes;  // an entry left behind by a record that is gone
    auto record = due_index::record_from_json(current->doc, key);
    if (!record) {  // never overwritten; it must not hold the whole schedule up either
      log_error("unreadable due record skipped", {{"key", key}, {"error", record.error().message}});
      co_return Settled::yes;
    }
    if (record->state != DueState::scheduled || *record->due > walk.now) co_return Settled::yes;
    if (record->claim && record->claim->lease_until > walk.now) {
      ++walk.report.held;
      co_return Settled::pending;
    }
    if (walk.firings_left <= 0) co_return Settled::pending;

    const Timestamp attempt_time = record->claim ? record->claim->first_attempt : walk.now;
    DueRecord next = *record;
    const bool missed = options.max_lateness && attempt_time - *record->due > *options.max_lateness;
    if (missed) {
      next.state = DueState::missed;
      next.settled_at = walk.now;
      next.claim.reset();
    } else {
      next.claim = DueClaim{new_owner(), walk.now + options.claim_lease, attempt_time};
    }
    auto written = co_await write_record(next, current->etag);
    if (!written && written.error().kind == ErrorKind::conflict) {
      auto again = co_await state.read(key);
      if (!again) {
        walk.failed(again.error());
        co_return Settled::failed;
      }
      current = std::move(*again);
      continue;
    }
    if (!written) {
      walk.failed(written.error());
      co_return Settled::failed;
    }
    --walk.firings_left;
    if (missed) {
      ++walk.report.missed;
      auto fields = record_fields(options, next);
      fields.emplace_back(
          "lateness_seconds",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(attempt_time - *next.due).count()));
      log_warn("due record missed: later than the maximum lateness", fields);
      co_return Settled::yes;
    }

    const DueFiring firing{next, attempt_time, walk.now};
    auto fired = co_await walk.fire(firing);
    if (!fired) {
      co_await release(next, walk.now);
      walk.failed(fired.error());
      co_return Settled::failed;
    }
    ++walk.report.fired;
    // Not marked: the claim runs out and the next tick fires it again, idempotently.
    if (auto marked = co_await mark_fired(next, walk.now); !marked) {
      walk.failed(marked.error());
      co_return Settled::failed;
    }
    co_return Settled::yes;
  }
  walk.failed(too_many_conflicts("claiming " + id));
  co_return Settled::failed;
}

// Leaves the record alone if it moved on meanwhile (rescheduled, cancelled, taken over).
asio::awaitable<Result<void>> DueIndex::Impl::mark_fired(const DueRecord& claimed, Timestamp now) {
  for (int attempt = 0; attempt <= options.max_conflicts; ++attempt) {
    auto read = co_await read_record(claimed.id);
    if (!read) co_return read.error();
    if (!*read) co_return Result<void>{};
    DueRecord record = std::move((*read)->doc);
    if (record.state != DueState::scheduled || record.due != claimed.due || !record.claim ||
        record.claim->owner != claimed.claim->owner)
      co_return Result<void>{};
    record.state = DueState::fired;
    record.settled_at = now;
    record.claim.reset();
    auto written = co_await write_record(record, (*read)->etag);
    if (written || written.error().kind != ErrorKind::conflict) co_return written;
  }
  co_return too_many_conflicts("marking " + claimed.id + " fired");
}

// Ends our lease at once, so the next tick retries without waiting it out. The claim keeps
// its first attempt time, so the retry builds the same event.
asio::awaitable<void> DueIndex::Impl::release(const DueRecord& claimed, Timestamp now) {
  auto read = co_await read_record(claimed.id);
  if (!read || !*read) co_return;
  DueRecord record = std::move((*read)->doc);
  if (!record.claim || record.claim->owner != claimed.claim->owner) co_return;
  record.claim->lease_until = now;
  if (auto written = co_await write_record(record, (*read)->etag); !written)
    log_warn("could not release a firing claim; it runs out with its lease",
             {{"id", claimed.id}, {"error", written.error().describe()}});
}

// Only forwards: another replica may have moved it further already. The one that moved it
// deletes the buckets passed; an append that races a delete lists its entry again later.
asio::awaitable<void> DueIndex::Impl::advance_cursor(const Stored<Cursor>& read, BucketNo to,
                                                     Walk& walk) {
  Stored<Cursor> current = read;
  for (int attempt = 0; attempt <= options.max_conflicts; ++attempt) {
    if (current.doc.next >= to) co_return;
    const Cursor moved{current.doc.layout, to};
    auto written = co_await state.write(keys.cursor(), due_index::to_json(moved), current.etag);
    if (written) {
      remember(moved);
      for (BucketNo n = read.doc.next; n < to; ++n)
        if (auto removed = co_await state.remove(keys.bucket(current.doc.layout, n)); !removed)
          log_debug(
              "could not delete a finished bucket",
              {{"key", keys.bucket(current.doc.layout, n)}, {"error", removed.error().describe()}});
      co_return;
    }
    if (written.error().kind != ErrorKind::conflict) {
      walk.failed(written.error());
      co_return;
    }
    auto again = co_await read_cursor();
    if (!again || !*again) {
      walk.failed(again ? Error::unavailable("due index", "the cursor disappeared")
                        : again.error());
      co_return;
    }
    current = std::move(**again);
  }
  walk.failed(too_many_conflicts("moving the cursor"));
}

}  // namespace tew
