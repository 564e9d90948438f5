#include "tew/name_uuid.hpp"

#include <doctest/doctest.h>

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

boost::uuids::uuid uuid_of(const char* text) {
  return boost::uuids::string_generator()(std::string(text));
}

boost::uuids::uuid boost_uuid(const boost::uuids::uuid& ns, const std::string& name) {
  return boost::uuids::name_generator_sha1{ns}(name.data(), name.size());
}

}  // namespace

TEST_CASE("name_uuid gives RFC 4122's version-5 UUIDs") {
  // As Python's uuid.uuid5 gives them.
  const auto dns = uuid_of("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  const auto url = uuid_of("6ba7b811-9dad-11d1-80b4-00c04fd430c8");
  CHECK(to_string(tew::name_uuid(dns, "python.org")) == "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  CHECK(to_string(tew::name_uuid(url, "")) == "1b4db7eb-4057-5ddf-91e0-36dec72071f5");
  const auto id = tew::name_uuid(dns, "python.org");
  CHECK(id.version() == boost::uuids::uuid::version_name_based_sha1);
  CHECK(id.variant() == boost::uuids::uuid::variant_rfc_4122);
}

TEST_CASE("name_uuid equals Boost's name_generator_sha1 across SHA-1 block boundaries") {
  std::mt19937 random(20261207);
  const std::vector<boost::uuids::uuid> spaces = {uuid_of("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                                                  uuid_of("00000000-0000-0000-0000-000000000000"),
                                                  uuid_of("ffffffff-ffff-ffff-ffff-ffffffffffff")};
  int compared = 0;
  for (const auto& ns : spaces) {
    // 16 namespace bytes + name: one SHA-1 block holds up to 55 bytes of message, two hold 119.
    for (std::size_t size : {0, 1, 39, 40, 47, 48, 55, 56, 63, 64, 103, 104, 200, 1000, 4096}) {
      std::string name(size, '\0');
      for (auto& c : name)
        c = static_cast<char>(random() & 0xFF);  // NULs and bytes >= 0x80 too
      CAPTURE(size);
      CHECK(tew::name_uuid(ns, name) == boost_uuid(ns, name));
      ++compared;
    }
  }
  CHECK(compared == 45);
}

TEST_CASE("name_uuid gives every thread the same answers") {
  const auto ns = uuid_of("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i)
    names.push_back("event-" + std::to_string(i * 7919));
  std::vector<boost::uuids::uuid> expected;
  for (const auto& name : names)
    expected.push_back(boost_uuid(ns, name));
  std::vector<int> mismatches(4, -1);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      int wrong = 0;
      for (int round = 0; round < 50; ++round) {
        for (std::size_t i = 0; i < names.size(); ++i)
          wrong += tew::name_uuid(ns, names[i]) != expected[i];
      }
      mismatches[t] = wrong;
    });
  }
  for (auto& thread : threads)
    thread.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}
