#include "tew/base64.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace tew {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(kInvalid);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}
constexpr auto kDecode = make_decode_table();

std::uint8_t sextet(char c) {
  return kDecode[static_cast<unsigned char>(c)];
}
std::uint32_t octet(char c) {
  return static_cast<unsigned char>(c);
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      group = (group << 8) | (k < n ? octet(bytes[i + k]) : 0u);
    }
    out.push_back(kAlphabet[(group >> 18) & 0x3f]);
    out.push_back(kAlphabet[(group >> 12) & 0x3f]);
    out.push_back(n > 1 ? kAlphabet[(group >> 6) & 0x3f] : '=');
    out.push_back(n > 2 ? kAlphabet[group & 0x3f] : '=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;

  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t data_chars = last ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const std::uint8_t value = k < data_chars ? sextet(text[i + k]) : 0;
      if (value == kInvalid) return std::nullopt;  // includes '=' anywhere but the end
      group = (group << 6) | value;
    }
    out.push_back(static_cast<char>((group >> 16) & 0xff));
    if (data_chars >= 3) out.push_back(static_cast<char>((group >> 8) & 0xff));
    if (data_chars == 4) out.push_back(static_cast<char>(group & 0xff));
    // Non-zero bits under the padding would make two texts decode to the same bytes.
    if (data_chars == 2 && (group & 0xffff) != 0) return std::nullopt;
    if (data_chars == 3 && (group & 0xff) != 0) return std::nullopt;
  }
  return out;
}

}  // namespace tew
