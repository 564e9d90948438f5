#include "tew/base64.hpp"

#include <doctest/doctest.h>

#include <string>

using tew::base64_decode;
using tew::base64_encode;

TEST_CASE("base64: the RFC 4648 test vectors encode and decode") {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64_encode(plain) == encoded);
    CHECK(base64_decode(encoded) == plain);
  }
}

TEST_CASE("base64: every byte value survives a round trip") {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<char>(i));
  for (std::size_t length = 0; length <= bytes.size(); length += 37) {
    const auto slice = bytes.substr(0, length);
    CHECK(base64_decode(base64_encode(slice)) == slice);
  }
  CHECK(base64_encode("\xfb\xff") == "+/8=");
}

TEST_CASE("base64: a length that is not a multiple of 4 is rejected") {
  for (const auto* text : {"Z", "Zg", "Zg=", "Zm9vY", "Zm9vYmFy="}) {
    CAPTURE(text);
    CHECK_FALSE(base64_decode(text).has_value());
  }
}

TEST_CASE("base64: characters outside the alphabet are rejected") {
  for (const auto* text : {"Zm9v\n", "Zm 9", "Zm9-", "Zm9_", "Zg==\r\n"}) {
    CAPTURE(text);
    CHECK_FALSE(base64_decode(text).has_value());
  }
  CHECK_FALSE(base64_decode(std::string_view("Zm9\0", 4)).has_value());
  CHECK_FALSE(base64_decode("Zm9\xc3\xa9").has_value());
}

TEST_CASE("base64: padding anywhere but at the end is rejected") {
  for (const auto* text : {"====", "Z===", "=Zg=", "Zg==Zg==", "Zm=v", "Z=9v"}) {
    CAPTURE(text);
    CHECK_FALSE(base64_decode(text).has_value());
  }
}

TEST_CASE("base64: non-zero bits under the padding are rejected") {
  CHECK(base64_decode("Zg==").has_value());
  CHECK_FALSE(base64_decode("Zh==").has_value());
  CHECK(base64_decode("Zm8=").has_value());
  CHECK_FALSE(base64_decode("Zm9=").has_value());
}
