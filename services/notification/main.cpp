// tew-notification: task and reminder events in, user notifications out (log, webhook, Dapr
// output binding), with notification.sent / notification.failed published.
#include "notification/service.hpp"

int main(int argc, char** argv) {
  const tew::ServiceInfo info{tew::notification::kServiceName,
                              "task and reminder events → user notifications (log, webhook, "
                              "Dapr output binding)",
                              8081};
  return tew::run_service(info, argc, argv, tew::notification::configure);
}
