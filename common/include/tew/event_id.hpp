// Deterministic ids for follow-on effects: a re-run of a handler must publish the identical
// event, so ids are name-based UUIDs (v5) of what caused them, never random.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace tew {

// The namespace of every id we derive. Fixed forever: changing it changes every derived id,
// and with them every dedup key downstream.
inline constexpr std::string_view kEventIdNamespace = "b704964f-1a20-44f4-ba45-b0575a879f9e";

// UUID v5 (SHA-1, our fixed namespace) of the parts, each length-prefixed so that
// ("ab","c") and ("a","bc") differ. Lower-case canonical text form.
// The name hashed is, per part, its byte length in decimal, ':' and the bytes ("2:ab1:c").
std::string derive_id(std::initializer_list<std::string_view> parts);

// The id of a follow-on event caused by input event (source, id) for `purpose`.
inline std::string derive_event_id(std::string_view source, std::string_view id,
                                   std::string_view purpose) {
  return derive_id({source, id, purpose});
}

}  // namespace tew
