#include "operator/api/time.h"

#include <cstdio>
#include <ctime>

namespace runnel::api {

std::string format_time(Clock::time_point t) {
  std::time_t secs = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<Clock::time_point> parse_time(std::string_view s) {
  if (s.size() < 20 || s.back() != 'Z') return std::nullopt;
  std::string text(s.substr(0, 19));
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  // Fractional seconds (metav1.MicroTime) are dropped: second precision is all callers need.
  return Clock::from_time_t(timegm(&tm));
}

}  // namespace runnel::api
