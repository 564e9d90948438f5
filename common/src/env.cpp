#include "tew/env.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace tew {

namespace {

// How a rejected value is shown in an error: quoted, escaped, and cut short, so a stray
// control character or a pasted blob cannot garble the message. Secrets are never shown.
std::string shown(std::string_view value) {
  constexpr std::size_t kMaxShown = 64;
  std::string cut(value.substr(0, kMaxShown));
  if (value.size() > kMaxShown) cut += "...";
  return nlohmann::json(cut).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The help as documented: what the caller wrote, then the values allowed.
std::string with_allowed(std::string_view help, std::string_view allowed) {
  return fmt::format("{} ({})", help, allowed);
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return n;
}

bool iequals(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

Env::Env()
    : Env([](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      }) {}

Env::Env(Lookup lookup) : lookup_(std::move(lookup)) {}

std::optional<std::string> Env::raw(std::string_view name, std::string default_text,
                                    std::string_view help, bool secret) {
  const auto known =
      std::find_if(docs_.begin(), docs_.end(), [&](const EnvVarDoc& d) { return d.name == name; });
  if (known == docs_.end()) {
    docs_.push_back({std::string(name), secret ? std::string() : std::move(default_text),
                     std::string(help), secret});
  } else if (secret) {
    known->secret = true;
    known->default_value.clear();
  }
  auto value = lookup_(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

std::int64_t Env::number(std::string_view name, std::int64_t def, std::int64_t min,
                         std::int64_t max, std::string_view what, std::string_view help) {
  const auto value =
      raw(name, std::to_string(def), with_allowed(help, fmt::format("{} to {}", min, max)));
  if (!value) return def;
  const auto n = parse_integer(*value);
  if (n && *n >= min && *n <= max) return *n;
  fail(name, fmt::format("must be {} from {} to {}, got {}", what, min, max, shown(*value)));
  return def;
}

std::string Env::text(std::string_view name, std::string_view def, std::string_view help) {
  return raw(name, std::string(def), help).value_or(std::string(def));
}

std::string Env::secret(std::string_view name, std::string_view help) {
  return raw(name, {}, help, true).value_or(std::string());
}

std::uint16_t Env::port(std::string_view name, std::uint16_t def, std::string_view help) {
  return static_cast<std::uint16_t>(number(name, def, 1, 65535, "a TCP port", help));
}

std::int64_t Env::integer(std::string_view name, std::int64_t def, std::int64_t min,
                          std::int64_t max, std::string_view help) {
  return number(name, def, min, max, "an integer", help);
}

std::chrono::milliseconds Env::millis(std::string_view name, std::chrono::milliseconds def,
                                      std::chrono::milliseconds min, std::chrono::milliseconds max,
                                      std::string_view help) {
  return std::chrono::milliseconds{
      number(name, def.count(), min.count(), max.count(), "a whole number of milliseconds", help)};
}

std::chrono::seconds Env::seconds(std::string_view name, std::chrono::seconds def,
                                  std::chrono::seconds min, std::chrono::seconds max,
                                  std::string_view help) {
  return std::chrono::seconds{
      number(name, def.count(), min.count(), max.count(), "a whole number of seconds", help)};
}

bool Env::boolean(std::string_view name, bool def, std::string_view help) {
  const auto value = raw(name, def ? "true" : "false", with_allowed(help, "true or false"));
  if (!value) return def;
  if (iequals(*value, "true") || *value == "1") return true;
  if (iequals(*value, "false") || *value == "0") return false;
  fail(name, fmt::format("must be true, false, 1 or 0, got {}", shown(*value)));
  return def;
}

std::string Env::choice(std::string_view name, std::string_view def,
                        std::initializer_list<std::string_view> allowed, std::string_view help) {
  const auto value =
      raw(name, std::string(def), with_allowed(help, fmt::format("{}", fmt::join(allowed, "|"))));
  if (!value) return std::string(def);
  for (const auto option : allowed)
    if (iequals(*value, option)) return std::string(option);
  fail(name, fmt::format("must be one of {}, got {}", fmt::join(allowed, "|"), shown(*value)));
  return std::string(def);
}

std::vector<std::string> Env::list(std::string_view name, std::string_view def,
                                   std::string_view help) {
  const std::string value = raw(name, std::string(def), help).value_or(std::string(def));
  std::vector<std::string> items;
  std::string_view rest = value;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto item = trimmed(rest.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return items;
}

void Env::fail(std::string_view name, std::string message) {
  errors_.push_back(Error::invalid(std::string(name), std::move(message)));
}

void Env::retired(std::string_view name, std::string_view replacement) {
  if (const auto value = lookup_(name); value && !value->empty())
    fail(name, "is no longer read; use " + std::string(replacement) + " instead");
}

}  // namespace tew
