#include "tew/rfc3339.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <iterator>
#include <optional>

namespace tew {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// A cursor over the text; every read checks the bounds, so a truncated input fails cleanly.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool digits(int count, int& out) {
    int value = 0;
    for (int i = 0; i < count; ++i) {
      if (pos_ >= text_.size() || !is_digit(text_[pos_])) return false;
      value = value * 10 + (text_[pos_++] - '0');
    }
    out = value;
    return true;
  }
  bool literal(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  // One digit, if the next character is one.
  std::optional<int> digit() {
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) return std::nullopt;
    return text_[pos_++] - '0';
  }
  bool at_end() const { return pos_ == text_.size(); }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// Digits after the decimal point, as microseconds: shorter fractions are scaled up, longer
// ones truncated.
bool fraction_micros(Scanner& in, std::int64_t& out) {
  std::int64_t micros = 0;
  int count = 0;
  while (const auto digit = in.digit()) {
    if (count < 6) micros = micros * 10 + *digit;
    ++count;
  }
  if (count == 0) return false;
  for (int i = count; i < 6; ++i)
    micros *= 10;
  out = micros;
  return true;
}

}  // namespace

Result<Timestamp> parse_rfc3339(std::string_view text, std::string_view subject) {
  const auto fail = [&](std::string_view why) {
    return Error::invalid(std::string(subject),
                          "not an RFC 3339 timestamp (" + std::string(why) + ")");
  };
  Scanner in(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!in.digits(4, year) || !in.literal('-') || !in.digits(2, month) || !in.literal('-') ||
      !in.digits(2, day)) {
    return fail("expected YYYY-MM-DD");
  }
  if (!in.literal('T') && !in.literal('t') && !in.literal(' ')) {
    return fail("expected 'T' between date and time");
  }
  if (!in.digits(2, hour) || !in.literal(':') || !in.digits(2, minute) || !in.literal(':') ||
      !in.digits(2, second)) {
    return fail("expected HH:MM:SS");
  }
  std::int64_t micros = 0;
  if (in.literal('.') && !fraction_micros(in, micros)) return fail("expected digits after '.'");

  minutes offset{0};
  if (!in.literal('Z') && !in.literal('z')) {
    const bool east = in.literal('+');
    if (!east && !in.literal('-')) return fail("expected 'Z' or a +HH:MM offset");
    int offset_hours = 0, offset_minutes = 0;
    if (!in.digits(2, offset_hours) || !in.literal(':') || !in.digits(2, offset_minutes)) {
      return fail("expected a +HH:MM offset");
    }
    if (offset_hours > 23 || offset_minutes > 59) return fail("offset out of range");
    offset = hours{offset_hours} + minutes{offset_minutes};
    if (!east) offset = -offset;
  }
  if (!in.at_end()) return fail("unexpected text after the timestamp");

  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (month < 1 || month > 12) return fail("month out of range");
  if (!date.ok()) return fail("no such day in that month");
  if (hour > 23) return fail("hour out of range");
  if (minute > 59) return fail("minute out of range");
  if (second > 59) return fail("second out of range; leap seconds are not accepted");

  const auto local = std::chrono::sys_days{date} + hours{hour} + minutes{minute} + seconds{second} +
                     microseconds{micros};
  return Timestamp{local - offset};
}

// Digits by hand: a task's JSON carries several times and every follow-on event is serialized
// from it, so this runs a handful of times per event; fmt's format_to into a string cost 5x more.
std::string format_rfc3339(Timestamp t) {
  const auto day_start = std::chrono::floor<days>(t);
  const std::chrono::year_month_day date{day_start};
  const std::chrono::hh_mm_ss<microseconds> clock{t - day_start};
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) {  // outside RFC 3339's four-digit years: as readable as before
    std::string out =
        fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", year,
                    static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                    clock.hours().count(), clock.minutes().count(), clock.seconds().count());
    if (const auto micros = clock.subseconds().count(); micros != 0)
      out += fmt::format(".{:06}", micros);
    return out + 'Z';
  }
  char buf[27];  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  const auto put = [&buf](std::size_t at, unsigned long value, std::size_t width) {
    for (std::size_t i = width; i-- > 0; value /= 10)
      buf[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(year), 4);
  buf[4] = '-';
  put(5, static_cast<unsigned>(date.month()), 2);
  buf[7] = '-';
  put(8, static_cast<unsigned>(date.day()), 2);
  buf[10] = 'T';
  put(11, static_cast<unsigned long>(clock.hours().count()), 2);
  buf[13] = ':';
  put(14, static_cast<unsigned long>(clock.minutes().count()), 2);
  buf[16] = ':';
  put(17, static_cast<unsigned long>(clock.seconds().count()), 2);
  std::size_t size = 19;
  if (const auto micros = clock.subseconds().count(); micros != 0) {
    buf[size] = '.';
    put(size + 1, static_cast<unsigned long>(micros), 6);
    size += 7;
  }
  buf[size++] = 'Z';
  return std::string(buf, size);
}

}  // namespace tew
