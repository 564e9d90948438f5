// The binding channel: the output-binding request it sends through the sidecar, and what the
// sidecar's answers mean.
#include "notification/binding_channel.hpp"

#include <doctest/doctest.h>

#include "fake_clock.hpp"
#include "fake_sidecar.hpp"
#include "run_awaitable.hpp"
#include "sample_notification.hpp"

namespace {

using tew::Error;
using tew::ErrorKind;
using tew::notification::BindingChannel;
using tew::notification::BindingOptions;
using tew::notification::DeliveryStatus;
using tew::notification::Notification;
using tew::testing::FakeClock;
using tew::testing::FakeSidecar;
using tew::testing::run_awaitable;

Notification sample() {
  return tew::notification::testing::sample_notification("binding");
}

BindingOptions options() {
  BindingOptions o;
  o.name = "smtp";
  return o;
}

struct Fixture {
  FakeClock clock;
  FakeSidecar sidecar{clock};

  tew::notification::Delivery deliver(const BindingOptions& o) {
    BindingChannel channel(sidecar, o);
    return run_awaitable(channel.deliver(sample(), tew::CloudEvent{}));
  }
};

Error sidecar_error(ErrorKind kind, int status) {
  Error e;
  e.kind = kind;
  e.subject = "POST /v1.0/bindings/smtp";
  e.message = "HTTP " + std::to_string(status) + " ERR_INVOKE_OUTPUT_BINDING: smtp refused";
  e.http_status = status;
  return e;
}

}  // namespace

TEST_CASE("the binding is invoked with its operation and the notification as data") {
  Fixture f;
  CHECK(f.deliver(options()).status == DeliveryStatus::delivered);
  const auto calls = f.sidecar.binding_invocations();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].name == "smtp");
  CHECK(calls[0].operation == "create");
  CHECK(calls[0].data == tew::notification::to_json(sample()));
  CHECK(calls[0].metadata.empty());
}

TEST_CASE("configured email fields go as metadata, with the title as subject") {
  Fixture f;
  auto o = options();
  o.operation = "send";
  o.email = {{"emailTo", "user@example.com"}, {"emailFrom", "todo@example.com"}};
  CHECK(f.deliver(o).status == DeliveryStatus::delivered);
  const auto calls = f.sidecar.binding_invocations();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].operation == "send");
  CHECK(calls[0].metadata == std::map<std::string, std::string>{{"emailTo", "user@example.com"},
                                                                {"emailFrom", "todo@example.com"},
                                                                {"subject", "Reminder: Buy milk"}});
}

TEST_CASE("a sidecar that fails or cannot be reached fails for now") {
  Fixture f;
  f.sidecar.script_binding("smtp", sidecar_error(ErrorKind::unavailable, 500));
  const auto d = f.deliver(options());
  CHECK(d.status == DeliveryStatus::failed_transient);
  CHECK(d.detail ==
        "binding smtp: POST /v1.0/bindings/smtp: HTTP 500 ERR_INVOKE_OUTPUT_BINDING: smtp refused");
}

TEST_CASE("a 4xx from the sidecar is refused for good") {
  Fixture f;
  f.sidecar.script_binding("smtp", sidecar_error(ErrorKind::rejected, 400));
  CHECK(f.deliver(options()).status == DeliveryStatus::refused);
}
