#pragma once

// What the simulations' test drivers share (this folder's Raft simulation and
// tests/unit/controller_sim): their environment variables, naming the seed when a production
// assertion (RUNNEL_ASSERT) aborts the process, printing a schedule's trace, and the search for
// the first seed that an injected bug makes fail.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace runnel::raft::sim {

inline uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

namespace detail {
inline volatile uint64_t g_seed = 0;
inline const char* g_what = "simulation";
inline const char* g_seed_variable = "SEED";
inline char g_seed_line[160];

inline void on_abort(int) {
  int n = std::snprintf(g_seed_line, sizeof g_seed_line, "\n%s aborted in seed %llu: rerun with %s=%llu\n", g_what,
                        static_cast<unsigned long long>(g_seed), g_seed_variable, static_cast<unsigned long long>(g_seed));
  if (n > 0) (void)!write(2, g_seed_line, static_cast<size_t>(std::min<int>(n, sizeof g_seed_line - 1)));
}
}  // namespace detail

// From now on an abort names the seed set last by set_current_seed and the variable that reruns it.
inline void report_seed_on_abort(const char* what, const char* seed_variable) {
  detail::g_what = what;
  detail::g_seed_variable = seed_variable;
  signal(SIGABRT, detail::on_abort);
}
inline void set_current_seed(uint64_t seed) { detail::g_seed = seed; }

// The last `last_lines` lines of a schedule's trace, and its verdict.
inline void print_trace(uint64_t seed, const std::vector<std::string>& trace, const std::string& failure,
                        size_t last_lines) {
  size_t from = trace.size() > last_lines ? trace.size() - last_lines : 0;
  std::printf("--- trace of seed %llu (%zu of %zu events shown) ---\n", static_cast<unsigned long long>(seed),
              trace.size() - from, trace.size());
  for (size_t i = from; i < trace.size(); ++i) std::printf("%s\n", trace[i].c_str());
  std::printf("--- %s\n", failure.empty() ? "all invariants held" : failure.c_str());
}

// Runs seeds from `first` until `run(seed)` returns a failed result (`ok()` false), at most
// `count` of them; returns that result, or a default (passing) one.
template <typename Run>
auto first_failure(uint64_t first, uint64_t count, Run run) -> decltype(run(first)) {
  for (uint64_t seed = first; seed < first + count; ++seed) {
    auto r = run(seed);
    if (!r.ok()) {
      std::printf("caught after %llu schedules, seed %llu: %s\n", static_cast<unsigned long long>(seed - first + 1),
                  static_cast<unsigned long long>(seed), r.failure.c_str());
      return r;
    }
  }
  return {};
}

}  // namespace runnel::raft::sim
