#include "due_index_state.hpp"

#include <algorithm>

#include "tew/rfc3339.hpp"

namespace tew::due_index {

namespace {

using nlohmann::json;

constexpr std::size_t kKeysPerBulkRead = 100;

Error unreadable(const std::string& key, std::string why) {
  return Error::unavailable("due index", "unreadable document at " + key + ": " + why);
}

// Reads the members of one stored document; the first problem is kept.
class DocReader {
 public:
  DocReader(const json& doc, const std::string& key) : doc_(doc), key_(key) {
    if (!doc.is_object()) fail("not an object");
  }

  const std::optional<Error>& error() const { return error_; }
  void fail(const std::string& why) {
    if (!error_) error_ = unreadable(key_, why);
  }

  const json* member(const char* name) {
    if (error_) return nullptr;
    const auto it = doc_.find(name);
    return it == doc_.end() || it->is_null() ? nullptr : &*it;
  }
  std::optional<std::string> text(const char* name, bool required) {
    const json* value = member(name);
    if (value == nullptr) {
      if (required) fail(std::string("no ") + name);
      return std::nullopt;
    }
    if (!value->is_string()) {
      fail(std::string(name) + " is not a string");
      return std::nullopt;
    }
    return value->get<std::string>();
  }
  std::optional<Timestamp> time(const char* name, bool required) {
    const auto value = text(name, required);
    if (!value) return std::nullopt;
    auto parsed = parse_rfc3339(*value, name);
    if (!parsed) {
      fail(parsed.error().describe());
      return std::nullopt;
    }
    return *parsed;
  }

 private:
  const json& doc_;
  const std::string& key_;
  std::optional<Error> error_;
};

std::optional<DueState> state_from(std::string_view name) {
  for (const auto s : {DueState::scheduled, DueState::fired, DueState::cancelled, DueState::missed})
    if (to_string(s) == name) return s;
  return std::nullopt;
}

std::optional<DueClaim> claim_from(const json* doc, DocReader& parent, const std::string& key) {
  if (doc == nullptr) return std::nullopt;
  DocReader in(*doc, key);
  DueClaim claim;
  claim.owner = in.text("owner", true).value_or("");
  claim.lease_until = in.time("lease_until", true).value_or(Timestamp{});
  claim.first_attempt = in.time("first_attempt", true).value_or(Timestamp{});
  if (in.error()) {
    parent.fail("claim: " + in.error()->message);
    return std::nullopt;
  }
  return claim;
}

}  // namespace

BucketNo Layout::of(Timestamp t) const {
  const auto us = t.time_since_epoch().count();
  const auto w = std::chrono::duration_cast<std::chrono::microseconds>(width).count();
  return us >= 0 ? us / w : -((-us + w - 1) / w);
}

Timestamp Layout::start(BucketNo n) const {
  return Timestamp{n * std::chrono::duration_cast<std::chrono::microseconds>(width)};
}

std::string Keys::bucket(const Layout& layout, BucketNo n) const {
  return prefix + "bucket|" + format_rfc3339(layout.start(n));
}

json to_json(const DueRecord& record) {
  json doc = {{"id", record.id}, {"state", to_string(record.state)}, {"payload", record.payload}};
  if (record.due) doc["due"] = format_rfc3339(*record.due);
  if (record.settled_at) doc["settled_at"] = format_rfc3339(*record.settled_at);
  if (record.claim)
    doc["claim"] = {{"owner", record.claim->owner},
                    {"lease_until", format_rfc3339(record.claim->lease_until)},
                    {"first_attempt", format_rfc3339(record.claim->first_attempt)}};
  return doc;
}

Result<DueRecord> record_from_json(const json& doc, const std::string& key) {
  DocReader in(doc, key);
  DueRecord record;
  record.id = in.text("id", true).value_or("");
  const auto state_name = in.text("state", true);
  record.due = in.time("due", false);
  record.settled_at = in.time("settled_at", false);
  if (const json* payload = in.member("payload")) record.payload = *payload;
  record.claim = claim_from(in.member("claim"), in, key);
  if (state_name) {
    if (const auto state = state_from(*state_name))
      record.state = *state;
    else
      in.fail("unknown state " + *state_name);
  }
  if (!in.error() && record.state == DueState::scheduled && !record.due)
    in.fail("scheduled without a due time");
  if (in.error()) return *in.error();
  return record;
}

json to_json(const Bucket& bucket) {
  json entries = json::array();
  for (const auto& e : bucket.entries)
    entries.push_back({{"id", e.id}, {"due", format_rfc3339(e.due)}});
  return {{"entries", std::move(entries)}, {"sealed", bucket.sealed}};
}

Result<Bucket> bucket_from_json(const json& doc, const std::string& key) {
  DocReader in(doc, key);
  Bucket bucket;
  if (const json* sealed = in.member("sealed")) {
    if (!sealed->is_boolean()) in.fail("sealed is not a boolean");
    bucket.sealed = sealed->is_boolean() && sealed->get<bool>();
  }
  const json* entries = in.member("entries");
  if (entries != nullptr && !entries->is_array()) in.fail("entries is not an array");
  if (entries != nullptr && entries->is_array()) {
    for (const auto& item : *entries) {
      DocReader entry(item, key);
      const auto id = entry.text("id", true);
      const auto due = entry.time("due", true);
      if (entry.error()) {
        in.fail("entry: " + entry.error()->message);
        break;
      }
      bucket.entries.push_back({*id, *due});
    }
  }
  if (in.error()) return *in.error();
  return bucket;
}

json to_json(const Cursor& cursor) {
  return {{"bucket_seconds", cursor.layout.width.count()},
          {"next", format_rfc3339(cursor.layout.start(cursor.next))}};
}

Result<Cursor> cursor_from_json(const json& doc, const std::string& key) {
  DocReader in(doc, key);
  Cursor cursor;
  const json* width = in.member("bucket_seconds");
  if (width == nullptr || !width->is_number_integer() || width->get<std::int64_t>() <= 0)
    in.fail("bucket_seconds is not a positive integer");
  const auto next = in.time("next", true);
  if (in.error()) return *in.error();
  cursor.layout.width = std::chrono::seconds(width->get<std::int64_t>());
  cursor.next = cursor.layout.of(*next);
  return cursor;
}

std::optional<Stored<json>> stored(StateItem item) {
  if (!item.value) return std::nullopt;
  return Stored<json>{std::move(*item.value), std::move(item.etag)};
}

asio::awaitable<Result<std::optional<Stored<json>>>> StateAccess::read(const std::string& key) {
  auto item = co_await sidecar_.get_state(store_, key);
  if (!item) co_return item.error();
  co_return stored(std::move(*item));
}

asio::awaitable<Result<std::vector<StateItem>>> StateAccess::read_many(
    const std::vector<std::string>& keys) {
  std::vector<StateItem> items;
  items.reserve(keys.size());
  for (std::size_t at = 0; at < keys.size(); at += kKeysPerBulkRead) {
    const auto end = std::min(keys.size(), at + kKeysPerBulkRead);
    const std::vector<std::string> chunk(keys.begin() + static_cast<std::ptrdiff_t>(at),
                                         keys.begin() + static_cast<std::ptrdiff_t>(end));
    auto read = co_await sidecar_.get_state_bulk(store_, chunk);
    if (!read) co_return read.error();
    std::move(read->begin(), read->end(), std::back_inserter(items));
  }
  co_return items;
}

asio::awaitable<Result<void>> StateAccess::write(const std::string& key, json doc,
                                                 const std::string& etag,
                                                 std::optional<std::chrono::seconds> ttl) {
  std::vector<StateWrite> items(1);
  items[0].key = key;
  items[0].value = std::move(doc);
  if (!etag.empty()) items[0].etag = etag;
  items[0].concurrency = Concurrency::first_write;
  items[0].ttl = ttl;
  auto saved = co_await sidecar_.save_state(store_, items);
  if (saved || !etag.empty() || saved.error().kind == ErrorKind::conflict) co_return saved;

  // An insert was refused or failed: daprd answers 500 for both. If the key is there now,
  // someone inserted it first (or our insert landed and its answer was lost): a conflict.
  auto now_there = co_await sidecar_.get_state(store_, key);
  if (!now_there || !now_there->value) co_return saved;
  Error conflict = saved.error();
  conflict.kind = ErrorKind::conflict;
  co_return conflict;
}

asio::awaitable<Result<void>> StateAccess::remove(const std::string& key) {
  const StateDelete del{key, std::nullopt, Concurrency::last_write};
  co_return co_await sidecar_.delete_state(store_, del);
}

}  // namespace tew::due_index
