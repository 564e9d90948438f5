#include "tew/dedup_store.hpp"

namespace tew {

namespace {

void append_part(std::string& out, const std::string& part) {
  out += std::to_string(part.size());
  out += ':';
  out += part;
}

}  // namespace

// Length prefixes make the form unambiguous whatever the parts contain: ("a|b", "c") and
// ("a", "b|c") differ.
std::string DedupKey::str() const {
  std::string out;
  out.reserve(consumer.size() + source.size() + id.size() + 16);
  append_part(out, consumer);
  out += '|';
  append_part(out, source);
  out += '|';
  append_part(out, id);
  return out;
}

}  // namespace tew
