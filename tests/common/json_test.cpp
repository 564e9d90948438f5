#include "tew/json.hpp"

#include <doctest/doctest.h>

#include <string>

using tew::json_depth;
using tew::kMaxJsonDepth;
using tew::parse_json;

namespace {

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("json depth: scalars have depth 0, each array or object level adds one") {
  CHECK(json_depth("") == 0);
  CHECK(json_depth("42") == 0);
  CHECK(json_depth("[]") == 1);
  CHECK(json_depth(R"({"a":[1,{"b":[]}],"c":{}})") == 4);
  CHECK(json_depth(nested_arrays(1000)) == 1000);
}

TEST_CASE("json depth: brackets inside strings are ignored, escapes included") {
  CHECK(json_depth(R"(["[[[{{{"])") == 1);
  CHECK(json_depth(R"({"a\"[[":"\\"})") == 1);
  CHECK(json_depth(R"(["\\", ["x"]])") == 2);
  CHECK(json_depth(R"(["\"]]]]\"", [[]]])") == 3);
}

TEST_CASE("json depth: unbalanced closers do not go below zero") {
  CHECK(json_depth("]]]][") == 1);
}

TEST_CASE("parse json: a valid document parses") {
  const auto doc = parse_json(R"({"a":[1,2.5,"x",true,null]})");
  REQUIRE(doc.has_value());
  CHECK(doc->at("a").size() == 5);
}

TEST_CASE("parse json: nesting at the limit parses, one deeper is rejected") {
  CHECK(parse_json(nested_arrays(kMaxJsonDepth)).has_value());
  const auto deep = parse_json(nested_arrays(kMaxJsonDepth + 1));
  REQUIRE_FALSE(deep.has_value());
  CHECK(deep.error().message == "nesting deeper than 64");
}

TEST_CASE("parse json: 100k opening brackets are rejected without recursing") {
  const auto result = parse_json(std::string(100000, '['), "data");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().subject == "data");
  CHECK(result.error().message == "nesting deeper than 64");
  std::string nested_objects;
  for (int i = 0; i < 100000; ++i)
    nested_objects += R"({"a":)";
  const auto objects = parse_json(nested_objects);
  REQUIRE_FALSE(objects.has_value());
  CHECK(objects.error().message == "nesting deeper than 64");
  // Braces alone are not nesting but a syntax error at the second one: said so.
  const auto braces = parse_json(std::string(100000, '{'));
  REQUIRE_FALSE(braces.has_value());
  CHECK(braces.error().message.starts_with("invalid JSON at byte 2: "));
}

TEST_CASE("parse json: brackets inside a long string do not count as nesting") {
  const std::string text = "[\"" + std::string(100000, '[') + "\"]";
  const auto result = parse_json(text);
  REQUIRE(result.has_value());
  CHECK(result->at(0).get_ref<const std::string&>().size() == 100000);
}

TEST_CASE("parse json: the limit can be set by the caller") {
  CHECK_FALSE(parse_json("[[[]]]", "body", 2).has_value());
  CHECK(parse_json("[[[]]]", "body", 3).has_value());
  CHECK(parse_json("[[[]]]", "body", 2).error().message == "nesting deeper than 2");
}

TEST_CASE("parse json: truncated JSON is rejected naming the subject and the byte") {
  const auto result = parse_json(R"({"id":"abc","data":{"x":)", "body");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().subject == "body");
  CHECK(result.error().kind == tew::ErrorKind::invalid_input);
  CHECK(result.error().message.starts_with("invalid JSON at byte "));
}

TEST_CASE("parse json: empty text and trailing garbage are rejected") {
  CHECK_FALSE(parse_json("").has_value());
  CHECK_FALSE(parse_json("   ").has_value());
  CHECK_FALSE(parse_json("{} {}").has_value());
  CHECK_FALSE(parse_json("{\"a\":1,}").has_value());
  CHECK_FALSE(parse_json("[1,]").has_value());
  CHECK_FALSE(parse_json("{'a':1}").has_value());
  CHECK_FALSE(parse_json("NaN").has_value());
  CHECK_FALSE(parse_json("[01]").has_value());
}

TEST_CASE("parse json: invalid UTF-8 is rejected") {
  for (const auto* text : {"\"\xff\"", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
                           "\"\xf4\x90\x80\x80\"", "{\"\xfe\":1}", "\xff"}) {
    CAPTURE(text);
    const auto result = parse_json(text);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().message.starts_with("invalid JSON"));
  }
}

TEST_CASE("parse json: escaped lone surrogates are rejected") {
  CHECK_FALSE(parse_json(R"("\ud800")").has_value());
  CHECK_FALSE(parse_json(R"("\udc00")").has_value());
  CHECK(parse_json(R"("\ud83d\ude00")").has_value());
}

TEST_CASE("parse json: the error message never echoes the input") {
  const std::string secret = "s3cr3t-token-value";
  const auto result = parse_json("{\"token\":\"" + secret + "\", oops}");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.find(secret) == std::string::npos);
  CHECK(result.error().message.find("last read") == std::string::npos);
}

TEST_CASE("parse json: huge numbers are rejected or kept as floating point") {
  const auto overflow = parse_json(R"({"version":1e400})");
  REQUIRE_FALSE(overflow.has_value());
  CHECK(overflow.error().message == "invalid JSON: number out of range");
  CHECK_FALSE(parse_json("-1e400").has_value());
  const auto big = parse_json("123456789012345678901234567890");
  REQUIRE(big.has_value());
  CHECK(big->is_number_float());
  CHECK(parse_json("18446744073709551615")->is_number_unsigned());
}

TEST_CASE("json excerpt: short values are serialized whole, long ones cut") {
  CHECK(tew::json_excerpt(nlohmann::json("0.3")) == "\"0.3\"");
  CHECK(tew::json_excerpt(nlohmann::json(1.5)) == "1.5");
  const auto excerpt = tew::json_excerpt(nlohmann::json(std::string(1000, 'x')), 10);
  CHECK(excerpt == "\"xxxxxxxxx...");
}

TEST_CASE("json excerpt: control characters are escaped and UTF-8 is never cut in half") {
  CHECK(tew::json_excerpt(nlohmann::json("a\nb")) == R"("a\nb")");
  // "é" is two bytes; a cut at byte 2 would split it.
  CHECK(tew::json_excerpt(nlohmann::json("\xc3\xa9\xc3\xa9"), 2) == "\"...");
}
