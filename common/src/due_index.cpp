#include "tew/due_index.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "due_index_impl.hpp"
#include "tew/log.hpp"
#include "tew/rfc3339.hpp"

namespace tew {

using due_index::Bucket;
using due_index::BucketNo;
using due_index::Cursor;
using due_index::Entry;
using due_index::Layout;
using due_index::Stored;

namespace {

// The record a read of `key` found, with its ETag; an unreadable one is an error naming the key.
Result<std::optional<Stored<DueRecord>>> record_in(std::optional<Stored<nlohmann::json>> read,
                                                   const std::string& key) {
  if (!read) return std::optional<Stored<DueRecord>>{};
  auto record = due_index::record_from_json(read->doc, key);
  if (!record) return record.error();
  return std::optional{Stored<DueRecord>{std::move(*record), std::move(read->etag)}};
}

// The bucket a read of `key` found; an absent one is empty, with an empty ETag.
Result<Stored<Bucket>> bucket_in(std::optional<Stored<nlohmann::json>> read,
                                 const std::string& key) {
  if (!read) return Stored<Bucket>{};
  auto bucket = due_index::bucket_from_json(read->doc, key);
  if (!bucket) return bucket.error();
  return Stored<Bucket>{std::move(*bucket), std::move(read->etag)};
}

// Where a listing of `due` starts, by `cursor`: its bucket, or the first one not finished.
std::pair<Layout, BucketNo> first_bucket(const Cursor& cursor, Timestamp due) {
  return {cursor.layout, std::max(cursor.layout.of(due), cursor.next)};
}

// A claim belongs to one due time of a scheduled record: an update that keeps both keeps it,
// so a change of payload while a tick fires does not let a second tick fire it too.
bool keeps_claim(const std::optional<DueRecord>& old, const DueRecord& next) {
  return old && old->claim && old->state == DueState::scheduled &&
         next.state == DueState::scheduled && old->due == next.due;
}

}  // namespace

std::string_view to_string(DueState state) {
  switch (state) {
    case DueState::scheduled:
      return "scheduled";
    case DueState::fired:
      return "fired";
    case DueState::cancelled:
      return "cancelled";
    case DueState::missed:
      return "missed";
  }
  return "scheduled";
}

DueIndex::Impl::Impl(Sidecar& sidecar, const Clock& c, DueIndexOptions o)
    : clock(c), options(std::move(o)), state(sidecar, options.store), keys{options.key_prefix} {}

Error DueIndex::Impl::too_many_conflicts(std::string_view what) const {
  Error e;
  e.kind = ErrorKind::conflict;
  e.subject = "due index";
  e.message = std::string(what) + ": gave up after " + std::to_string(options.max_conflicts + 1) +
              " conflicting writes";
  return e;
}

asio::awaitable<DueIndex::Impl::Found<DueRecord>> DueIndex::Impl::read_record(
    const std::string& id) {
  const auto key = keys.record(id);
  auto read = co_await state.read(key);
  if (!read) co_return read.error();
  co_return record_in(std::move(*read), key);
}

asio::awaitable<Result<void>> DueIndex::Impl::write_record(const DueRecord& record,
                                                           const std::string& etag) {
  // ttlInSeconds <= 0 makes Redis PERSIST the key: a TTL left by a finished state must not
  // expire a record that is scheduled again.
  const auto ttl =
      record.state == DueState::scheduled ? std::chrono::seconds(-1) : options.finished_ttl;
  co_return co_await state.write(keys.record(record.id), due_index::to_json(record), etag, ttl);
}

asio::awaitable<DueIndex::Impl::Found<Cursor>> DueIndex::Impl::read_cursor() {
  const auto key = keys.cursor();
  auto read = co_await state.read(key);
  if (!read) co_return read.error();
  if (!*read) co_return std::optional<Stored<Cursor>>{};
  auto cursor = due_index::cursor_from_json((*read)->doc, key);
  if (!cursor) co_return cursor.error();
  if (cursor->layout.width != options.bucket_width && !layout_warned.exchange(true))
    log_warn("due index keeps the bucket width it was created with",
             {{"index", options.key_prefix},
              {"bucket_seconds", std::to_string(cursor->layout.width.count())},
              {"configured_seconds", std::to_string(options.bucket_width.count())}});
  co_return Stored<Cursor>{*cursor, std::move((*read)->etag)};
}

asio::awaitable<Result<Cursor>> DueIndex::Impl::cursor_or_create() {
  for (int attempt = 0; attempt <= options.max_conflicts; ++attempt) {
    auto read = co_await read_cursor();
    if (!read) co_return read.error();
    if (*read) co_return (*read)->doc;
    const Layout layout{options.bucket_width};
    const Cursor fresh{layout, layout.of(clock.now())};
    auto created = co_await state.write(keys.cursor(), due_index::to_json(fresh), "");
    if (created) co_return fresh;
    if (created.error().kind != ErrorKind::conflict) co_return created.error();
  }
  co_return too_many_conflicts("creating the cursor");
}

asio::awaitable<Result<Stored<Bucket>>> DueIndex::Impl::read_bucket(const Layout& layout,
                                                                    BucketNo n) {
  const auto key = keys.bucket(layout, n);
  auto read = co_await state.read(key);
  if (!read) co_return read.error();
  co_return bucket_in(std::move(*read), key);
}

std::optional<Cursor> DueIndex::Impl::known_cursor() const {
  const std::lock_guard lock(cursor_mutex);
  return last_cursor;
}

void DueIndex::Impl::remember(const Cursor& cursor) {
  const std::lock_guard lock(cursor_mutex);
  if (!last_cursor || last_cursor->next < cursor.next) last_cursor = cursor;
}

std::optional<std::pair<Layout, BucketNo>> DueIndex::Impl::listing_target(Timestamp due) const {
  const auto cursor = known_cursor();
  if (!cursor || cursor->layout.end(cursor->layout.of(due)) <= clock.now()) return std::nullopt;
  return first_bucket(*cursor, due);
}

asio::awaitable<DueIndex::Impl::Found<DueRecord>> DueIndex::Impl::read_record_and_bucket(
    const std::string& id, std::optional<Timestamp> expected_due,
    std::optional<Prefetched>& prefetched) {
  prefetched.reset();
  const auto target = expected_due ? listing_target(*expected_due) : std::nullopt;
  if (!target) co_return co_await read_record(id);
  const auto [layout, n] = *target;
  const std::vector<std::string> both{keys.record(id), keys.bucket(layout, n)};
  auto items = co_await state.read_many(both);
  if (!items) co_return items.error();
  // An unreadable bucket is not kept: the listing reads it again and reports it, if it is
  // the bucket the record goes to at all.
  if (auto bucket = bucket_in(due_index::stored(std::move((*items)[1])), both[1]))
    prefetched = Prefetched{layout, n, std::move(*bucket)};
  co_return record_in(due_index::stored(std::move((*items)[0])), both[0]);
}

// The record was written before this runs, so a tick that takes the bucket's entries after
// our append reads the record as written. Whether a tick took them before: a sealed bucket
// says so (go on to a later one), and a cursor past the bucket says so even when the bucket
// was deleted after the tick and our append created it anew. Listing twice is harmless.
// When `due` falls in a bucket that has not ended yet, the search starts from the cursor this
// index last read, without reading it again (one state call fewer per listing): a tick passes
// only buckets that have ended, so no cursor, however fresh, is past that bucket, and the
// layout, the other thing read from it, never changes once created. A due time whose bucket
// has ended (a late reminder) reads the cursor first, so the search never starts in a bucket
// that a tick may have passed and deleted.
// After the append, the cursor is read again unless the bucket ends after now + clock_skew
// (read after the write): a tick seals only buckets that have ended by its own clock, at most
// clock_skew ahead of ours, so none can have sealed, passed or deleted this one before our
// append, and the append landed in a bucket a tick will still walk. `prefetched`, a bucket
// read with the record before the record was written, stands in for the first read of that
// bucket: the append is guarded by its ETag, so a seal since then makes it a conflict.
asio::awaitable<Result<void>> DueIndex::Impl::ensure_listed(const std::string& id, Timestamp due,
                                                            std::optional<Prefetched> prefetched) {
  auto start = listing_target(due);
  if (!start) {
    auto read = co_await cursor_or_create();
    if (!read) co_return read.error();
    remember(*read);
    start = first_bucket(*read, due);
  }
  const Layout layout = start->first;
  BucketNo target = start->second;
  const Entry entry{id, due};
  for (int step = 0; step <= 2 * options.max_conflicts + 2; ++step) {
    Result<Stored<Bucket>> bucket = Stored<Bucket>{};
    if (prefetched && prefetched->n == target && prefetched->layout.width == layout.width)
      bucket = std::move(prefetched->bucket);
    else
      bucket = co_await read_bucket(layout, target);
    prefetched.reset();
    if (!bucket) co_return bucket.error();
    if (bucket->doc.sealed) {
      // Only buckets whose time has passed are sealed: the next open one is about now.
      target = std::max(target + 1, layout.of(clock.now()));
      continue;
    }
    auto& entries = bucket->doc.entries;
    if (std::find(entries.begin(), entries.end(), entry) == entries.end()) {
      entries.push_back(entry);
      auto written = co_await state.write(keys.bucket(layout, target),
                                          due_index::to_json(bucket->doc), bucket->etag);
      if (!written && written.error().kind == ErrorKind::conflict) continue;
      if (!written) co_return written.error();
    }
    if (layout.end(target) > clock.now() + options.clock_skew) co_return Result<void>{};
    auto after = co_await read_cursor();
    if (!after) co_return after.error();
    if (!*after) co_return Error::unavailable("due index", "the cursor disappeared");
    remember((*after)->doc);
    if ((*after)->doc.next <= target) co_return Result<void>{};
    target = (*after)->doc.next;
  }
  co_return too_many_conflicts("listing " + id + " due " + format_rfc3339(due));
}

DueIndex::DueIndex(Sidecar& sidecar, const Clock& clock, DueIndexOptions options)
    : impl_(std::make_unique<Impl>(sidecar, clock, std::move(options))) {}

DueIndex::~DueIndex() = default;

asio::awaitable<Result<std::optional<DueRecord>>> DueIndex::get(const std::string& id) {
  auto read = co_await impl_->read_record(id);
  if (!read) co_return read.error();
  if (!*read) co_return std::optional<DueRecord>{};
  co_return std::optional<DueRecord>{std::move((*read)->doc)};
}

asio::awaitable<Result<std::optional<DueRecord>>> DueIndex::update(
    const std::string& id, const Change& change, std::optional<Timestamp> expected_due) {
  std::optional<DueRecord> result;
  bool decided = false;
  std::optional<Impl::Prefetched> prefetched;
  for (int attempt = 0; attempt <= impl_->options.max_conflicts && !decided; ++attempt) {
    Impl::Found<DueRecord> read = std::optional<Stored<DueRecord>>{};
    if (attempt == 0)
      read = co_await impl_->read_record_and_bucket(id, expected_due, prefetched);
    else
      read = co_await impl_->read_record(id);
    if (!read) co_return read.error();
    std::optional<DueRecord> old;
    std::string etag;
    if (*read) {
      old = std::move((*read)->doc);
      etag = std::move((*read)->etag);
    }
    auto next = change(old);
    if (next) {
      next->id = id;
      next->claim = keeps_claim(old, *next) ? old->claim : std::nullopt;
      if (next->state == DueState::scheduled && !next->due)
        co_return Error::invalid("due index", "a scheduled record needs a due time: " + id);
    }
    if (!next || (old && *old == *next)) {
      result = std::move(old);
      decided = true;
      break;
    }
    auto written = co_await impl_->write_record(*next, etag);
    if (written) {
      result = std::move(next);
      decided = true;
    } else if (written.error().kind != ErrorKind::conflict) {
      co_return written.error();
    }
  }
  if (!decided) co_return impl_->too_many_conflicts("updating " + id);
  if (result && result->state == DueState::scheduled) {
    auto listed = co_await impl_->ensure_listed(id, *result->due, std::move(prefetched));
    if (!listed) co_return listed.error();
  }
  co_return result;
}

asio::awaitable<TickReport> DueIndex::tick(const Fire& fire) {
  return impl_->tick(fire);
}

}  // namespace tew
