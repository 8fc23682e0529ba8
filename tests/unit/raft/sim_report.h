#pragma once

// What the simulations' test drivers share (this folder's Raft simulation and
// tests/unit/controller_sim): their environment variables, naming the seed when a production
// assertion (RUNNEL_ASSERT) aborts the process, printing a schedule's trace, and the search for
// the first seed that an injected bug makes fail.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
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

struct ScheduleRun {
  uint64_t schedules = 0;  // 0: one seed was replayed (PREFIX_SEED), no summary to print
  double seconds = 0;
};

// The driver of a simulation test. With <prefix>_SEED set, runs that seed with its trace and
// expects it to pass. Otherwise runs <prefix>_SCHEDULES schedules (default `count`) from
// <prefix>_BASE_SEED (default: from the clock, printed), stopping after three failures, each
// reported with its seed, the rerun command and the last 300 lines of its trace. `run(seed,
// trace)` returns a result with seed, ok(), failure, profile and trace; `tally(result)` sees
// each result of the many.
template <typename Run, typename Tally>
ScheduleRun run_schedules(const char* what, const std::string& prefix, uint64_t count, Run run, Tally tally) {
  const std::string seed_variable = prefix + "_SEED";
  static std::string abort_variable;  // report_seed_on_abort keeps the pointer
  abort_variable = seed_variable;
  report_seed_on_abort(what, abort_variable.c_str());
  if (const char* one = std::getenv(seed_variable.c_str()); one != nullptr && *one != '\0') {
    uint64_t seed = std::strtoull(one, nullptr, 10);
    set_current_seed(seed);
    auto r = run(seed, true);
    std::printf("seed %llu: %s\n", static_cast<unsigned long long>(r.seed), r.profile.c_str());
    print_trace(r.seed, r.trace, r.failure, r.trace.size());
    EXPECT_TRUE(r.ok()) << r.failure;
    return {};
  }
  ScheduleRun out;
  count = env_u64((prefix + "_SCHEDULES").c_str(), count);
  const auto clock_seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  const uint64_t base = env_u64((prefix + "_BASE_SEED").c_str(), clock_seed % 1'000'000'000);
  std::printf("%s: %llu schedules from seed %llu (%s_BASE_SEED=%llu reruns them)\n", what,
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(base), prefix.c_str(),
              static_cast<unsigned long long>(base));
  const auto start = std::chrono::steady_clock::now();
  int failures = 0;
  for (uint64_t i = 0; i < count && failures < 3; ++i) {
    set_current_seed(base + i);
    auto r = run(base + i, false);
    ++out.schedules;
    tally(r);
    if (r.ok()) continue;
    ++failures;
    ADD_FAILURE() << "seed " << r.seed << " (" << r.profile << "): " << r.failure << "\nrerun with " << seed_variable
                  << "=" << r.seed;
    auto traced = run(r.seed, true);
    print_trace(traced.seed, traced.trace, traced.failure, 300);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
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
