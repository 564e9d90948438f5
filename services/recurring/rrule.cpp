#include "recurring/rrule.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace tew::recurring {

namespace {

constexpr std::string_view kSupported =
    "FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, WKST";

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

// Quoted for a message, cut short so that a huge input cannot flood a log line.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 40;
  if (text.size() <= kMax) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kMax)) + "...'";
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return c >= '0' && c <= '9'; });
}

// Unsigned decimal in [min, max]; nullopt otherwise (no sign, no spaces, no overflow).
std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t min,
                                         std::int64_t max) {
  if (!all_digits(text) || text.size() > 12) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text)
    value = value * 10 + (c - '0');
  if (value < min || value > max) return std::nullopt;
  return value;
}

// [+|-]digits with 1 <= |value| <= max; nullopt otherwise.
std::optional<int> signed_nonzero(std::string_view text, int max) {
  int sign = 1;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    if (text.front() == '-') sign = -1;
    text.remove_prefix(1);
  }
  const auto magnitude = whole_number(text, 1, max);
  if (!magnitude) return std::nullopt;
  return sign * static_cast<int>(*magnitude);
}

std::optional<date::weekday> weekday_code(std::string_view code) {
  static constexpr std::array<std::string_view, 7> kCodes = {"SU", "MO", "TU", "WE",
                                                             "TH", "FR", "SA"};
  for (unsigned i = 0; i < kCodes.size(); ++i)
    if (code == kCodes[i]) return date::weekday{i};
  return std::nullopt;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

class Parser {
 public:
  explicit Parser(std::string_view subject) : subject_(subject) {}

  Result<RRule> parse(std::string_view text) {
    text = trim(text);
    if (text.empty()) return fail("RRULE", "is empty");
    const auto word = upper(text);
    for (const auto& [name, frequency] : kWords)
      if (word == name) {
        RRule simple;
        simple.frequency = frequency;
        return simple;
      }
    if (word.rfind("RRULE:", 0) == 0) text = trim(text.substr(6));
    if (text.empty()) return fail("RRULE", "is empty");

    RRule rule;
    std::vector<std::string> seen;
    for (const auto part : split(text, ';')) {
      const auto eq = part.find('=');
      if (eq == std::string_view::npos)
        return fail(part.empty() ? "RRULE" : excerpt(upper(part)),
                    part.empty() ? "has an empty part (two ';' in a row, or one at an end)"
                                 : "must be NAME=VALUE");
      const auto name = upper(part.substr(0, std::min<std::size_t>(eq, 40)));
      const auto value = upper(part.substr(eq + 1));
      if (std::find(seen.begin(), seen.end(), name) != seen.end())
        return fail(name, "is given more than once");
      seen.push_back(name);
      if (value.empty()) return fail(name, "has no value");
      if (auto r = set(rule, name, value); !r) return r.error();
    }
    if (std::find(seen.begin(), seen.end(), "FREQ") == seen.end())
      return fail("FREQ", "is missing");
    if (auto r = check_combinations(rule); !r) return r.error();
    return rule;
  }

 private:
  static constexpr std::array<std::pair<std::string_view, Frequency>, 4> kWords = {
      {{"DAILY", Frequency::daily},
       {"WEEKLY", Frequency::weekly},
       {"MONTHLY", Frequency::monthly},
       {"YEARLY", Frequency::yearly}}};

  Error fail(std::string_view part, std::string_view why) const {
    return Error::invalid(std::string(subject_), std::string(part) + ": " + std::string(why));
  }

  Result<void> set(RRule& rule, const std::string& name, const std::string& value) const {
    if (name == "FREQ") return set_frequency(rule, value);
    if (name == "INTERVAL") {
      const auto n = whole_number(value, 1, kMaxInterval);
      if (!n) return fail(name, excerpt(value) + " must be a whole number from 1 to 10000");
      rule.interval = static_cast<int>(*n);
      return {};
    }
    if (name == "COUNT") {
      const auto n = whole_number(value, 1, kMaxCount);
      if (!n) return fail(name, excerpt(value) + " must be a whole number from 1 to 100000");
      rule.count = *n;
      return {};
    }
    if (name == "UNTIL") return set_until(rule, value);
    if (name == "BYDAY") return set_by_day(rule, value);
    if (name == "BYMONTHDAY") {
      for (const auto item : split(value, ',')) {
        const auto day = signed_nonzero(item, 31);
        if (!day) return fail(name, excerpt(item) + " must be 1 to 31 or -31 to -1");
        rule.by_month_day.push_back(*day);
      }
      return {};
    }
    if (name == "BYMONTH") {
      for (const auto item : split(value, ',')) {
        const auto month = whole_number(item, 1, 12);
        if (!month) return fail(name, excerpt(item) + " must be a month number from 1 to 12");
        rule.by_month.push_back(static_cast<int>(*month));
      }
      return {};
    }
    if (name == "WKST") {
      const auto day = weekday_code(value);
      if (!day) return fail(name, excerpt(value) + " must be one of MO, TU, WE, TH, FR, SA, SU");
      rule.week_start = *day;
      return {};
    }
    if (name == "BYSECOND" || name == "BYMINUTE" || name == "BYHOUR" || name == "BYYEARDAY" ||
        name == "BYWEEKNO" || name == "BYSETPOS")
      return fail(name, "is not supported (supported: " + std::string(kSupported) + ")");
    return fail(name, "is not a rule part we know (supported: " + std::string(kSupported) + ")");
  }

  Result<void> set_frequency(RRule& rule, const std::string& value) const {
    for (const auto& [name, frequency] : kWords)
      if (value == name) {
        rule.frequency = frequency;
        return {};
      }
    if (value == "SECONDLY" || value == "MINUTELY" || value == "HOURLY")
      return fail("FREQ", excerpt(value) + " is not supported (DAILY, WEEKLY, MONTHLY, YEARLY)");
    return fail("FREQ", excerpt(value) + " must be one of DAILY, WEEKLY, MONTHLY, YEARLY");
  }

  Result<void> set_by_day(RRule& rule, const std::string& value) const {
    for (const auto item : split(value, ',')) {
      const auto bad = [&] {
        return fail("BYDAY", excerpt(item) +
                                 " must be a weekday MO..SU, optionally after an ordinal "
                                 "1 to 53 or -53 to -1 (2MO, -1FR)");
      };
      if (item.size() < 2) return bad();
      const auto day = weekday_code(item.substr(item.size() - 2));
      if (!day) return bad();
      int ordinal = 0;
      if (item.size() > 2) {
        const auto n = signed_nonzero(item.substr(0, item.size() - 2), 53);
        if (!n) return bad();
        ordinal = *n;
      }
      rule.by_day.push_back({*day, ordinal});
    }
    return {};
  }

  // YYYYMMDD, or YYYYMMDDTHHMMSSZ (UTC). A local date-time is refused: with a time zone on
  // the task, RFC 5545 requires UNTIL in UTC.
  Result<void> set_until(RRule& rule, const std::string& value) const {
    const auto bad_date = [&] {
      return fail("UNTIL", excerpt(value) + " must be a date YYYYMMDD or a UTC date-time " +
                               "YYYYMMDDTHHMMSSZ");
    };
    if (value.size() == 15 && value[8] == 'T' && all_digits(std::string_view(value).substr(9)))
      return fail("UNTIL", excerpt(value) + " must be in UTC: end it with Z");
    if (value.size() != 8 && value.size() != 16) return bad_date();
    const auto y = whole_number(std::string_view(value).substr(0, 4), 1, 9999);
    const auto m = whole_number(std::string_view(value).substr(4, 2), 1, 12);
    const auto d = whole_number(std::string_view(value).substr(6, 2), 1, 31);
    if (!y || !m || !d) return bad_date();
    const date::year_month_day day{date::year{static_cast<int>(*y)},
                                   date::month{static_cast<unsigned>(*m)},
                                   date::day{static_cast<unsigned>(*d)}};
    if (!day.ok()) return fail("UNTIL", excerpt(value) + " is not a date in the calendar");
    if (value.size() == 8) {
      rule.until = day;
      return {};
    }
    if (value[8] != 'T' || value[15] != 'Z') return bad_date();
    const auto hh = whole_number(std::string_view(value).substr(9, 2), 0, 23);
    const auto mm = whole_number(std::string_view(value).substr(11, 2), 0, 59);
    const auto ss = whole_number(std::string_view(value).substr(13, 2), 0, 59);
    if (!hh || !mm || !ss) return bad_date();
    rule.until = Timestamp{date::sys_days{day}.time_since_epoch() + std::chrono::hours{*hh} +
                           std::chrono::minutes{*mm} + std::chrono::seconds{*ss}};
    return {};
  }

  Result<void> check_combinations(const RRule& rule) const {
    if (rule.count && rule.until) return fail("UNTIL", "must not be given together with COUNT");
    const bool by_period =
        rule.frequency == Frequency::monthly || rule.frequency == Frequency::yearly;
    for (const auto& d : rule.by_day)
      if (d.ordinal != 0 && !by_period)
        return fail("BYDAY", "ordinals such as 2MO or -1FR need FREQ=MONTHLY or FREQ=YEARLY");
    if (rule.frequency == Frequency::weekly && !rule.by_month_day.empty())
      return fail("BYMONTHDAY", "must not be given with FREQ=WEEKLY (RFC 5545)");
    return {};
  }

  std::string_view subject_;
};

}  // namespace

Result<RRule> parse_rrule(std::string_view text, std::string_view subject) {
  return Parser(subject).parse(text);
}

}  // namespace tew::recurring
