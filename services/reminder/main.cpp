// tew-reminder: keeps a durable schedule of task reminders and publishes reminder.due when
// they are due. main() only wires; see reminder_service.hpp.
#include "reminder/config.hpp"
#include "reminder/reminder_service.hpp"
#include "tew/service.hpp"

int main(int argc, char** argv) {
  const tew::ServiceInfo info{"reminder",
                              "schedules task reminders and publishes reminder.due when they are "
                              "due",
                              8082};
  return tew::run_service(info, argc, argv, [](tew::Env& env) {
    auto config = reminder::read_reminder_config(env);
    return [config](tew::Wiring& wiring) { reminder::register_reminder_service(wiring, config); };
  });
}
