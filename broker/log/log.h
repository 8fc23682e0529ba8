#pragma once

#include <cstdarg>
#include <cstdint>

namespace runnel::log {

enum class Level : int { debug = 0, info = 1, warn = 2, error = 3 };

// Structured log lines in logfmt: `ts=... level=info msg="..." key=value ...`, one write(2) per
// line so lines from different cores never interleave. The level can be changed at runtime.
void set_level(Level level);
Level level();
bool enabled(Level level);

// `fields` is a preformatted logfmt tail (may be empty), `fmt` the message.
void write(Level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// For errors a client can trigger at will: logs at most once per `interval_ms` per call site,
// counting what it suppressed, so a misbehaving client cannot flood the log.
struct RateLimit {
  int64_t last_ms = 0;
  uint64_t suppressed = 0;
};
void write_limited(RateLimit& site, int64_t interval_ms, Level level, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));

}  // namespace runnel::log

#define RUNNEL_LOG(lvl, ...)                                                              \
  do {                                                                                    \
    if (::runnel::log::enabled(::runnel::log::Level::lvl)) ::runnel::log::write(::runnel::log::Level::lvl, __VA_ARGS__); \
  } while (0)

// Once per 10 s per call site (thread-local, so cores never contend).
#define RUNNEL_LOG_LIMITED(lvl, ...)                                                      \
  do {                                                                                    \
    static thread_local ::runnel::log::RateLimit runnel_rl_site_;                         \
    if (::runnel::log::enabled(::runnel::log::Level::lvl))                                \
      ::runnel::log::write_limited(runnel_rl_site_, 10000, ::runnel::log::Level::lvl, __VA_ARGS__); \
  } while (0)
