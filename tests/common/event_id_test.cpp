#include "tew/event_id.hpp"

#include <doctest/doctest.h>

#include <set>

using tew::derive_event_id;
using tew::derive_id;

// Expected values computed independently (Python: uuid.uuid5(namespace, "1:a2:bc")). If one of
// these changes, every derived id and every dedup key built on one changes with it.
TEST_CASE("event id: known inputs keep their ids") {
  CHECK(derive_id({"a", "bc"}) == "89480eea-104f-5af6-a07e-9117f7cf59a1");
  CHECK(derive_id({"ab", "c"}) == "421b4c20-b86f-512c-be38-0f065370b2ad");
  CHECK(derive_event_id("task-api", "5b1f6a0e-3c1d-4d8e-9a57-2f0c1e6b9d42", "reminder.due") ==
        "1baf9a5b-61cd-5675-8d53-4d24a6b3931c");
}

TEST_CASE("event id: the same parts always give the same id") {
  CHECK(derive_event_id("src", "id-1", "purpose") == derive_event_id("src", "id-1", "purpose"));
}

TEST_CASE("event id: parts are length-prefixed so moving a boundary changes the id") {
  CHECK(derive_id({"ab", "c"}) != derive_id({"a", "bc"}));
  CHECK(derive_id({"abc"}) != derive_id({"ab", "c"}));
  CHECK(derive_id({}) != derive_id({""}));
  CHECK(derive_id({""}) != derive_id({"", ""}));
}

TEST_CASE("event id: different inputs give different ids") {
  std::set<std::string> ids;
  for (const auto* source : {"task-api", "reminder-scheduler"}) {
    for (const auto* id : {"1", "2", "3"}) {
      for (const auto* purpose : {"reminder.due", "task.next-occurrence"}) {
        ids.insert(derive_event_id(source, id, purpose));
      }
    }
  }
  CHECK(ids.size() == 12);
}

TEST_CASE("event id: ids are lower-case canonical version-5 UUIDs") {
  const auto id = derive_event_id("Source", "ID", "Purpose");
  REQUIRE(id.size() == 36);
  for (std::size_t i = 0; i < id.size(); ++i) {
    CAPTURE(i);
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      CHECK(id[i] == '-');
    } else {
      CHECK(((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')));
    }
  }
  CHECK(id[14] == '5');                                                    // version
  CHECK(std::string_view("89ab").find(id[19]) != std::string_view::npos);  // RFC 4122 variant
}
