// Name-based UUIDs (RFC 4122 version 5: the SHA-1 of a namespace UUID and a name), the same
// bytes boost::uuids::name_generator_sha1 makes, computed with OpenSSL's SHA-1: it uses the
// CPU's SHA instructions where there are any, where Boost's goes a byte at a time. Every event
// id we derive and every in-memory dedup key goes through it, once or twice per event.
#pragma once

#include <boost/uuid/uuid.hpp>
#include <string_view>

namespace tew {

// Should OpenSSL fail (no SHA-1 in its providers), Boost's generator answers: the result is
// the same either way. Thread-safe.
boost::uuids::uuid name_uuid(const boost::uuids::uuid& name_space, std::string_view name);

}  // namespace tew
