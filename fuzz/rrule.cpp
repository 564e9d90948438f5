// RRULE parsing and expansion (recurring's rule subset): the input is a rule text, placed at a
// fixed DTSTART in one of a few zones with DST changes. A rule that does not parse names the
// part at fault; one that parses expands to occurrences that strictly increase in local time,
// are numbered one by one, sit at the UTC instant to_utc() gives, and respect COUNT.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check.hpp"
#include "recurring/occurrences.hpp"

namespace {

using namespace tew;
using namespace tew::recurring;

const date::time_zone* zone_for(std::size_t size) {
  static const date::time_zone* const zones[] = {
      date::locate_zone("UTC"), date::locate_zone("Europe/Berlin"),
      date::locate_zone("America/New_York"), date::locate_zone("Australia/Lord_Howe")};
  return zones[size % std::size(zones)];
}

// 2026-03-29 02:30 local: inside Berlin's spring-forward gap, a worst case for DTSTART.
const LocalTime kAnchor =
    date::local_days{date::year{2026} / 3 / 29} + std::chrono::hours{2} + std::chrono::minutes{30};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  load_time_zones();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto rule = parse_rrule(text);
  if (!rule) {
    TEW_FUZZ_CHECK(rule.error().subject == "recurrence" && !rule.error().message.empty());
    return 0;
  }
  const Recurrence r{*rule, zone_for(size), kAnchor};
  auto current = occurrence_at(r, r.anchor, 1);
  for (int n = 0; n < 8; ++n) {
    const auto next = first_after(r, current.local, current.index + 1);
    if (!next) break;
    TEW_FUZZ_CHECK(next->local > current.local);
    TEW_FUZZ_CHECK(next->index == current.index + 1);
    TEW_FUZZ_CHECK(next->start == to_utc(next->local, *r.zone));
    TEW_FUZZ_CHECK(!rule->count || next->index <= *rule->count);
    current = *next;
  }
  return 0;
}
