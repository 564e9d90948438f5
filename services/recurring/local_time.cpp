#include "recurring/local_time.hpp"

#include <stdexcept>

#include "tew/rfc3339.hpp"

namespace tew::recurring {

Result<const date::time_zone*> find_time_zone(std::string_view name, std::string_view subject) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return Error::invalid(std::string(subject),
                          "'" + std::string(name.substr(0, 64)) +
                              "' is not an IANA time zone name (such as Europe/Berlin or UTC)");
  }
}

void load_time_zones() {
  const auto& db = date::get_tzdb();
  if (db.zones.empty()) throw std::runtime_error("the time zone database has no zones");
  date::locate_zone("UTC");
}

Timestamp to_utc(LocalTime local, const date::time_zone& zone) {
  // For a unique local time `first` is its offset; in a gap it is the offset before the gap;
  // when ambiguous it is the earlier of the two. RFC 5545 §3.3.5 wants that offset in each case.
  const auto info = zone.get_info(date::floor<std::chrono::seconds>(local));
  return Timestamp{local.time_since_epoch() - info.first.offset};
}

LocalTime to_local(Timestamp instant, const date::time_zone& zone) {
  return zone.to_local(instant);
}

// A wall-clock time has the same calendar fields as the UTC instant with the same count, so
// the RFC 3339 code formats and checks it; only the zone designator differs.
std::string format_local(LocalTime local) {
  auto text = format_rfc3339(Timestamp{local.time_since_epoch()});
  text.pop_back();  // 'Z'
  return text;
}

Result<LocalTime> parse_local(std::string_view text, std::string_view subject) {
  if (text.empty() || text.back() == 'Z' || text.back() == 'z' ||
      text.find_first_of("+", 10) != std::string_view::npos ||
      text.find('-', 10) != std::string_view::npos)
    return Error::invalid(std::string(subject), "must be a local date-time without an offset");
  auto instant = parse_rfc3339(std::string(text) + "Z", subject);
  if (!instant) return instant.error();
  return LocalTime{instant->time_since_epoch()};
}

}  // namespace tew::recurring
