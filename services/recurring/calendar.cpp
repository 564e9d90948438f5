#include "recurring/calendar.hpp"

#include <algorithm>

namespace tew::recurring {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::int64_t day_number(date::local_days day) {
  return day.time_since_epoch().count();
}

date::local_days day_at(std::int64_t number) {
  return date::local_days{date::days{number}};
}

// Day 0 (1970-01-01) is a Thursday: the first day on or after it that is `weekday`.
std::int64_t first_weekday_number(date::weekday weekday) {
  return (static_cast<std::int64_t>(weekday.c_encoding()) + 7 - 4) % 7;
}

date::local_days first_of(date::year_month ym) {
  return date::local_days{ym / date::day{1}};
}

date::local_days last_of(date::year_month ym) {
  return date::local_days{ym / date::last};
}

bool contains(const std::vector<int>& values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Whether `day` is the n-th (n > 0) or n-th from last (n < 0) of its weekday in [first, last].
bool nth_in(int n, date::local_days day, date::local_days first, date::local_days last) {
  if (n > 0) return (day - first).count() / 7 + 1 == n;
  return (last - day).count() / 7 + 1 == -n;
}

bool matches_month_day(const std::vector<int>& month_days, const date::year_month_day& ymd) {
  const auto last = static_cast<int>(unsigned{(ymd.year() / ymd.month() / date::last).day()});
  const auto day = static_cast<int>(unsigned{ymd.day()});
  return std::any_of(month_days.begin(), month_days.end(),
                     [&](int md) { return md > 0 ? day == md : day == last + md + 1; });
}

bool matches_weekday(const RRule& rule, date::local_days day, const date::year_month_day& ymd) {
  const date::weekday weekday{day};
  // Ordinals count within the month, except in a YEARLY rule without BYMONTH: within the year.
  const bool in_year = rule.frequency == Frequency::yearly && rule.by_month.empty();
  const auto first = in_year ? date::local_days{ymd.year() / date::January / 1}
                             : first_of(ymd.year() / ymd.month());
  const auto last = in_year ? date::local_days{ymd.year() / date::December / 31}
                            : last_of(ymd.year() / ymd.month());
  return std::any_of(rule.by_day.begin(), rule.by_day.end(), [&](const WeekdayNum& w) {
    return w.day == weekday && (w.ordinal == 0 || nth_in(w.ordinal, day, first, last));
  });
}

}  // namespace

PeriodSequence::PeriodSequence(const RRule& rule, date::local_days anchor)
    : rule_(rule), anchor_number_(number_of(anchor)) {}

std::int64_t PeriodSequence::number_of(date::local_days day) const {
  switch (rule_.frequency) {
    case Frequency::daily:
      return day_number(day);
    case Frequency::weekly:
      return floor_div(day_number(day) - first_weekday_number(rule_.week_start), 7);
    case Frequency::monthly: {
      const date::year_month_day ymd{day};
      return std::int64_t{int{ymd.year()}} * 12 + (unsigned{ymd.month()} - 1);
    }
    case Frequency::yearly:
      return int{date::year_month_day{day}.year()};
  }
  return 0;
}

Period PeriodSequence::period_number(std::int64_t number) const {
  switch (rule_.frequency) {
    case Frequency::daily:
      return {day_at(number), day_at(number)};
    case Frequency::weekly: {
      const auto first = day_at(first_weekday_number(rule_.week_start) + 7 * number);
      return {first, first + date::days{6}};
    }
    case Frequency::monthly: {
      const date::year_month ym{
          date::year{static_cast<int>(floor_div(number, 12))},
          date::month{static_cast<unsigned>(number - 12 * floor_div(number, 12) + 1)}};
      return {first_of(ym), last_of(ym)};
    }
    case Frequency::yearly: {
      const date::year y{static_cast<int>(number)};
      return {date::local_days{y / date::January / 1}, date::local_days{y / date::December / 31}};
    }
  }
  return {};
}

Period PeriodSequence::at(std::int64_t k) const {
  return period_number(anchor_number_ + k * rule_.interval);
}

std::int64_t PeriodSequence::index_before(date::local_days day) const {
  return std::max<std::int64_t>(0, floor_div(number_of(day) - anchor_number_, rule_.interval));
}

std::int64_t PeriodSequence::cycle() const {
  switch (rule_.frequency) {
    case Frequency::daily:
      return 146'097;
    case Frequency::weekly:
      return 20'871;
    case Frequency::monthly:
      return 4'800;
    case Frequency::yearly:
      return 400;
  }
  return 0;
}

bool selects(const RRule& rule, date::local_days day, const date::year_month_day& anchor) {
  const date::year_month_day ymd{day};
  if (!rule.by_month.empty() && !contains(rule.by_month, static_cast<int>(unsigned{ymd.month()})))
    return false;
  if (!rule.by_month_day.empty() && !matches_month_day(rule.by_month_day, ymd)) return false;
  if (!rule.by_day.empty() && !matches_weekday(rule, day, ymd)) return false;
  if (!rule.by_day.empty() || !rule.by_month_day.empty()) return true;
  // No BYDAY and no BYMONTHDAY: the rule inherits from DTSTART what its frequency needs.
  switch (rule.frequency) {
    case Frequency::daily:
      return true;
    case Frequency::weekly:
      return date::weekday{day} == date::weekday{date::local_days{anchor}};
    case Frequency::monthly:
      return ymd.day() == anchor.day();
    case Frequency::yearly:
      return ymd.day() == anchor.day() && (!rule.by_month.empty() || ymd.month() == anchor.month());
  }
  return false;
}

}  // namespace tew::recurring
