#include "recurring/series_store.hpp"

namespace tew::recurring {

namespace {

std::string series_key(std::string_view series_id) {
  return "series|" + std::string(series_id);
}

std::string link_key(std::string_view task_id) {
  return "series-of|" + std::string(task_id);
}

}  // namespace

StoredSeries inserted(std::string series_id, Series series) {
  return StoredSeries{std::move(series_id), std::move(series), "1"};
}

SeriesStore::SeriesStore(Sidecar& sidecar, std::string store)
    : sidecar_(sidecar), store_(std::move(store)) {}

// The series at `series_id` as `item` holds it (nullopt value: none yet).
Result<StoredSeries> SeriesStore::from_item(const std::string& series_id, StateItem item) {
  StoredSeries out{series_id, std::nullopt, std::move(item.etag)};
  if (!item.value) return out;
  auto series = parse_series(*item.value);
  if (!series) return series.error();
  if (series->id != series_id)
    return Error::unavailable(std::string(kSeriesSubject),
                              "record at " + series_key(series_id) + " is of series " + series->id);
  out.series = std::move(*series);
  return out;
}

asio::awaitable<Result<StoredSeries>> SeriesStore::load(const std::string& series_id) {
  auto item = co_await sidecar_.get_state(store_, series_key(series_id));
  if (!item) co_return item.error();
  co_return from_item(series_id, std::move(*item));
}

// Without a series id in the event, its own series and its link are read in one bulk call: a
// task that is neither a series' first task nor a spawned one (most tasks) costs one read.
asio::awaitable<Result<StoredSeries>> SeriesStore::find(const SeriesEvent& event) {
  if (event.series_id) co_return co_await load(*event.series_id);
  const auto& task_id = event.event.task.id;
  const std::vector<std::string> keys{series_key(task_id), link_key(task_id)};
  auto items = co_await sidecar_.get_state_bulk(store_, keys);
  if (!items) co_return items.error();
  if (items->size() != keys.size())
    co_return Error::unavailable(std::string(kSeriesSubject),
                                 "bulk read of " + keys[0] + " answered " +
                                     std::to_string(items->size()) + " items for 2 keys");
  auto own = from_item(task_id, std::move((*items)[0]));
  if (!own || own->series) co_return own;
  const auto& link = (*items)[1].value;
  if (link && link->is_object()) {
    const auto linked = link->find("series_id");
    if (linked != link->end() && linked->is_string())
      co_return co_await load(linked->get<std::string>());
  }
  co_return own;
}

asio::awaitable<Result<void>> SeriesStore::save(const StoredSeries& at, const Series& series) {
  StateWrite write;
  write.key = series_key(at.series_id);
  write.value = to_json(series);
  // Real Redis ignores the ETag of a last-write save: the guard only holds with first-write.
  write.concurrency = Concurrency::first_write;
  if (at.series) write.etag = at.etag;
  const std::vector<StateWrite> items{std::move(write)};
  co_return co_await sidecar_.save_state(store_, items);
}

asio::awaitable<Result<void>> SeriesStore::link(const std::string& task_id,
                                                const std::string& series_id) {
  StateWrite write;
  write.key = link_key(task_id);
  write.value = {{"series_id", series_id}};
  const std::vector<StateWrite> items{std::move(write)};
  co_return co_await sidecar_.save_state(store_, items);
}

}  // namespace tew::recurring
