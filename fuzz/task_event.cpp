// Task-event and reminder.due payload parsing: the input as JSON text (bounded parse), read
// as a task event, a reminder.due event and a bare task (and its task_data, if any). What
// parses must serialize (strictly) and parse back equal; a task's to_json is its raw object.
#include "tew/task_event.hpp"

#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "tew/json.hpp"

namespace {

using namespace tew;
using nlohmann::json;

template <class T>
void check_failure(const Result<T>& parsed) {
  if (!parsed) TEW_FUZZ_CHECK(!parsed.error().subject.empty() && !parsed.error().message.empty());
}

void check_task(const json& doc) {
  const auto task = parse_task(doc);
  check_failure(task);
  if (!task) return;
  const auto out = to_json(*task);
  fuzz::dump_strict(out);
  TEW_FUZZ_CHECK(out == task->raw);
  const auto again = parse_task(out);
  TEW_FUZZ_CHECK(again.has_value() && *again == *task);
}

void check_task_event(const json& doc) {
  const auto event = parse_task_event(doc);
  check_failure(event);
  if (!event) return;
  const auto out = to_json(*event);
  fuzz::dump_strict(out);
  const auto again = parse_task_event(out);
  TEW_FUZZ_CHECK(again.has_value() && *again == *event);
}

void check_reminder_due(const json& doc) {
  const auto event = parse_reminder_due_event(doc);
  check_failure(event);
  if (!event) return;
  const auto out = to_json(*event);
  fuzz::dump_strict(out);
  const auto again = parse_reminder_due_event(out);
  TEW_FUZZ_CHECK(again.has_value() && *again == *event);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto doc = parse_json(std::string_view(reinterpret_cast<const char*>(data), size), "data");
  if (!doc) return 0;
  check_task_event(*doc);
  check_reminder_due(*doc);
  check_task(*doc);
  if (doc->is_object())
    if (const auto it = doc->find("task_data"); it != doc->end()) check_task(*it);
  return 0;
}
