#include "tew/subscription.hpp"

#include <algorithm>

namespace tew {

namespace {

bool same_topic(const TopicSubscription& a, const TopicSubscription& b) {
  return a.pubsub == b.pubsub && a.topic == b.topic;
}

}  // namespace

nlohmann::json subscribe_document(const std::vector<TopicSubscription>& subscriptions) {
  nlohmann::json doc = nlohmann::json::array();
  std::vector<const TopicSubscription*> done;
  for (const auto& first : subscriptions) {
    const bool seen = std::any_of(done.begin(), done.end(), [&](const TopicSubscription* d) {
      return same_topic(*d, first);
    });
    if (seen) continue;
    done.push_back(&first);

    nlohmann::json entry = {{"pubsubname", first.pubsub}, {"topic", first.topic}};
    nlohmann::json rules = nlohmann::json::array();
    nlohmann::json routes = nlohmann::json::object();
    nlohmann::json metadata = nlohmann::json::object();
    for (const auto& s : subscriptions) {
      if (!same_topic(s, first)) continue;
      if (s.match)
        rules.push_back({{"match", *s.match}, {"path", s.route}});
      else
        routes["default"] = s.route;
      if (s.dead_letter_topic) entry["deadLetterTopic"] = *s.dead_letter_topic;
      for (const auto& [k, v] : s.metadata)
        metadata[k] = v;
      if (s.bulk.enabled)
        entry["bulkSubscribe"] = {{"enabled", true},
                                  {"maxMessagesCount", s.bulk.max_messages_count},
                                  {"maxAwaitDurationMs", s.bulk.max_await_duration_ms}};
    }
    if (!rules.empty()) routes["rules"] = std::move(rules);
    entry["routes"] = std::move(routes);
    if (!metadata.empty()) entry["metadata"] = std::move(metadata);
    doc.push_back(std::move(entry));
  }
  return doc;
}

}  // namespace tew
