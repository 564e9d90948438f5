#include "tew/outcome.hpp"

#include <doctest/doctest.h>

using tew::Outcome;
using tew::Status;

TEST_CASE("statuses are named as daprd reads them") {
  CHECK(tew::to_string(Status::success) == "SUCCESS");
  CHECK(tew::to_string(Status::retry) == "RETRY");
  CHECK(tew::to_string(Status::drop) == "DROP");
}

TEST_CASE("an outcome carries its status and reason, and success has none") {
  CHECK(Outcome::success().status == Status::success);
  CHECK(Outcome::success().reason.empty());
  CHECK(Outcome::retry("sidecar down").status == Status::retry);
  CHECK(Outcome::retry("sidecar down").reason == "sidecar down");
  CHECK(Outcome::drop("bad payload").status == Status::drop);
  CHECK(Outcome::drop("bad payload").reason == "bad payload");
}

TEST_CASE("a default outcome is success") {
  CHECK(Outcome{}.status == Status::success);
}
