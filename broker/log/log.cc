#include "broker/log/log.h"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace runnel::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};

const char* name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

void emit(Level level, const char* fmt, va_list ap, uint64_t suppressed) {
  char line[2048];
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  int n = std::snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s msg=\"", t.tm_year + 1900,
                        t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000, name(level));
  char msg[1536];
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  // Quote-escape the message so every line stays parseable logfmt.
  for (const char* p = msg; *p != '\0' && n < static_cast<int>(sizeof(line)) - 64; ++p) {
    if (*p == '"' || *p == '\\') line[n++] = '\\';
    line[n++] = (*p == '\n') ? ' ' : *p;
  }
  line[n++] = '"';
  if (suppressed > 0) n += std::snprintf(line + n, sizeof(line) - static_cast<size_t>(n), " suppressed=%llu",
                                         static_cast<unsigned long long>(suppressed));
  line[n++] = '\n';
  ssize_t ignored = ::write(STDERR_FILENO, line, static_cast<size_t>(n));
  (void)ignored;
}
}  // namespace

void set_level(Level level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
Level level() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }
bool enabled(Level l) { return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed); }

void write(Level level, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit(level, fmt, ap, 0);
  va_end(ap);
}

void write_limited(RateLimit& site, int64_t interval_ms, Level level, const char* fmt, ...) {
  int64_t now = now_ms();
  if (site.last_ms != 0 && now - site.last_ms < interval_ms) {
    ++site.suppressed;
    return;
  }
  site.last_ms = now;
  va_list ap;
  va_start(ap, fmt);
  emit(level, fmt, ap, site.suppressed);
  va_end(ap);
  site.suppressed = 0;
}

}  // namespace runnel::log
