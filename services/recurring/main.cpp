// tew-recurring: spawns the next task of a recurring series when its current one is completed,
// or ahead of time on the recurring-scheduler cron tick. main() only wires; see wiring.hpp.
#include "recurring/settings.hpp"
#include "recurring/wiring.hpp"

int main(int argc, char** argv) {
  const tew::ServiceInfo info{"recurring", "publishes the next task of a recurring series", 8083};
  return tew::run_service(info, argc, argv, [](tew::Env& env) {
    const auto settings = tew::recurring::read_settings(env);
    return [settings](tew::Wiring& w) { tew::recurring::wire_recurring(w, settings); };
  });
}
