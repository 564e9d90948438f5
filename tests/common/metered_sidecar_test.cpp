#include "tew/metered_sidecar.hpp"

#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "run_awaitable.hpp"

using tew::testing::FakeSidecar;
using tew::testing::run_awaitable;
using tew::testing::SidecarCallKind;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

tew::PublishRequest publish_to(std::string topic) {
  tew::CloudEvent event;
  event.id = "e-1";
  event.source = "app";
  event.type = "thing.happened";
  return {"pubsub", std::move(topic), event, "", {}};
}

struct Metered {
  tew::testing::FakeClock clock;
  FakeSidecar inner{clock};
  tew::Metrics metrics;
  tew::MeteredSidecar sidecar{inner, metrics};
};

}  // namespace

TEST_CASE("a publish is forwarded, counted ok and timed by topic") {
  Metered m;
  const auto request = publish_to("audit");
  REQUIRE(run_awaitable(m.sidecar.publish(request)).has_value());
  REQUIRE(m.inner.published().size() == 1);
  CHECK(m.inner.published()[0].event == request.event);
  const auto text = m.metrics.render();
  CHECK(has_line(text, R"(tew_publishes_total{topic="audit",outcome="ok"} 1)"));
  CHECK(has_line(text, R"(tew_publish_seconds_count{topic="audit"} 1)"));
}

TEST_CASE("a failed publish is counted as an error, timed, and its error passed on") {
  Metered m;
  m.inner.fail_next(SidecarCallKind::publish, tew::Error::unavailable("publish", "down"));
  const auto request = publish_to("audit");
  const auto result = run_awaitable(m.sidecar.publish(request));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message == "down");
  const auto text = m.metrics.render();
  CHECK(has_line(text, R"(tew_publishes_total{topic="audit",outcome="error"} 1)"));
  CHECK(has_line(text, R"(tew_publish_seconds_count{topic="audit"} 1)"));
}

TEST_CASE("state, transaction, binding and health calls are forwarded untouched and not counted") {
  Metered m;
  const std::vector<tew::StateWrite> writes{{"k", 42, std::nullopt, tew::Concurrency::first_write,
                                             tew::Consistency::strong, std::nullopt}};
  REQUIRE(run_awaitable(m.sidecar.save_state("store", writes)).has_value());
  const auto item = run_awaitable(m.sidecar.get_state("store", "k"));
  REQUIRE(item.has_value());
  CHECK(item->value == 42);
  const tew::BindingRequest call{"mail", "create", {{"to", "x"}}, {}};
  REQUIRE(run_awaitable(m.sidecar.invoke_binding(call)).has_value());
  CHECK(m.inner.binding_invocations().size() == 1);
  CHECK(run_awaitable(m.sidecar.healthy()));
  m.inner.set_healthy(false);
  CHECK_FALSE(run_awaitable(m.sidecar.healthy()));
  const std::vector<tew::StateOperation> ops{
      tew::StateWrite{"t", "v", std::nullopt, tew::Concurrency::last_write,
                      tew::Consistency::strong, std::nullopt}};
  REQUIRE(run_awaitable(m.sidecar.transact("store", ops)).has_value());
  CHECK(run_awaitable(m.sidecar.get_state("store", "t"))->value == "v");
  const tew::StateDelete del{"k", std::nullopt, tew::Concurrency::last_write};
  REQUIRE(run_awaitable(m.sidecar.delete_state("store", del)).has_value());
  CHECK_FALSE(run_awaitable(m.sidecar.get_state("store", "k"))->value.has_value());
  CHECK(m.metrics.render().find("tew_publishes_total{") == std::string::npos);
}
