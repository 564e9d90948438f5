// What the app declares to daprd: topic subscriptions (with routing rules, dead-letter topic,
// metadata such as rawPayload, bulk) and input bindings, and the `GET /dapr/subscribe`
// document generated from them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tew {

struct BulkSubscribe {
  bool enabled = false;
  int max_messages_count = 100;
  int max_await_duration_ms = 40;
};

// One route for a (pubsub, topic). Several specs for the same topic become one v2 entry whose
// rules are the specs with a `match` (in registration order) and whose default is the spec
// without one.
struct TopicSubscription {
  std::string pubsub;
  std::string topic;
  std::string route;                 // HTTP path daprd POSTs to, e.g. "/events/task-created"
  std::optional<std::string> match;  // CEL, e.g. event.type == "task.created"
  std::optional<std::string> dead_letter_topic;
  std::map<std::string, std::string> metadata;  // e.g. {"rawPayload","true"}
  BulkSubscribe bulk;
};

struct BindingSpec {
  std::string name;   // component name
  std::string route;  // HTTP path; "/" + name unless the component sets metadata `route`
};

// Dapr's programmatic subscription document, v2 shape:
// [{"pubsubname","topic","routes":{"rules":[{"match","path"}],"default"},
//   "deadLetterTopic","metadata","bulkSubscribe":{...}}]
nlohmann::json subscribe_document(const std::vector<TopicSubscription>& subscriptions);

}  // namespace tew
