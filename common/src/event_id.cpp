#include "tew/event_id.hpp"

#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "tew/name_uuid.hpp"

namespace tew {

namespace {

const boost::uuids::uuid& event_id_namespace() {
  static const boost::uuids::uuid ns =
      boost::uuids::string_generator()(std::string(kEventIdNamespace));
  return ns;
}

}  // namespace

std::string derive_id(std::initializer_list<std::string_view> parts) {
  std::string name;
  std::size_t size = 0;
  for (const auto part : parts)
    size += part.size() + 21;
  name.reserve(size);
  for (const auto part : parts) {
    name += std::to_string(part.size());
    name += ':';
    name += part;
  }
  return boost::uuids::to_string(name_uuid(event_id_namespace(), name));
}

}  // namespace tew
