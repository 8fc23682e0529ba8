#pragma once

#include <cstdio>
#include <cstdlib>

// Invariant checks that stay on in Release builds: a broken invariant in a storage engine must
// stop the process before it corrupts data, never limp on. The message should print the values.
#define RUNNEL_ASSERT(cond, ...)                                                         \
  do {                                                                                   \
    if (__builtin_expect(!(cond), 0)) {                                                  \
      std::fprintf(stderr, "assertion failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                                 \
      std::fputc('\n', stderr);                                                          \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
