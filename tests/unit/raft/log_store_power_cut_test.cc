// Power cuts at random points of random schedules (LevelDB's fault_injection_test, for the
// metadata log store; the partition log's is tests/unit/storage_faults/power_cut_test.cc).
//
// A schedule, chosen by a seed, runs the real MetadataLogStore on storage::FaultFiles (an
// in-memory file system that knows what was synced): appends of random entries (data and
// leader_change, sometimes more than one batch holds, sometimes several pages), truncations at
// and inside batches, trims of the front (a snapshot: the store rolls to a new segment named by
// its new base offset), syncs and clean restarts. In most lives the power goes off after a random
// number of file operations (every later one fails); then the file system keeps only what its
// model allows (any subset of the unsynced changes, page by page), the real recovery runs
// (sometimes itself cut short by another power cut), and the invariants are checked. Some lives
// end in a process crash (kill -9) instead, which loses nothing.
//
// Invariants after every recovery:
//   contiguous  the entries run from the segment's base offset without a gap; the base is the
//               last trim's (or the one a power cut interrupted)
//   durable     every entry that a successful sync() covered, and that no successful (or
//               interrupted) truncation removed since, is there and identical
//   no garbage  the log is a prefix of what the store was asked to hold last (plus the append
//               the power interrupted): nothing stale from before a truncation, nothing
//               invented, nothing torn
//   store       end_offset(), the batch index and the file size agree with the entries; no
//               truncation journal is left
//   kill -9     after a process crash the log is exactly what the store held
//
// Reproduce a failure: RUNNEL_LOG_STORE_SEED=<seed> raft_test --gtest_filter='LogStorePowerCut.*'
// (prints the schedule's trace). RUNNEL_LOG_STORE_SCHEDULES=<n> changes how many seeds run.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <optional>
#include <random>
#include <sstream>

#include "broker/raft/log_store.h"
#include "log_store_test_util.h"

namespace runnel::raft {
namespace {

using storage::FaultFiles;

// What the schedules did in all, to show they reach the interesting paths.
struct Totals {
  uint64_t power_cuts = 0;
  uint64_t truncations_inside = 0;
  uint64_t truncations_at_boundary = 0;
  uint64_t torn_tails = 0;
  uint64_t truncations_finished_by_recovery = 0;
  uint64_t synced_entries_checked = 0;
  uint64_t trims = 0;
};

class Schedule {
 public:
  Schedule(uint64_t seed, Totals& totals) : seed_(seed), rng_(seed), totals_(totals) {}

  // Empty on success, else what failed.
  std::string run() {
    dir_ = testing::make_metadata_dir(fs_);
    if (dir_ < 0) return "cannot make the metadata directory";
    if (!recover(false)) return failure_;
    const int lives = 2 + int(rng_() % 4);
    for (int life = 0; life < lives && failure_.empty(); ++life) {
      const uint32_t end = rng_() % 100;
      if (end < 70) {
        const uint64_t ops = rng_() % 80;
        note("life " + std::to_string(life) + ": power off after " + std::to_string(ops) + " ops");
        fs_.power_off_after(ops);
      } else {
        note("life " + std::to_string(life) + (end < 85 ? ": power cut at the end" : ": kill -9 at the end"));
      }
      const int steps = 5 + int(rng_() % 40);
      for (int step = 0; step < steps && failure_.empty() && do_step();) ++step;
      if (!failure_.empty()) break;
      if (end < 85) {
        power_cut();
      } else {
        kill();
      }
    }
    return failure_;
  }

  std::string trace() const {
    std::string out;
    for (const std::string& t : trace_) out += "  " + t + "\n";
    return out;
  }

 private:
  void note(const std::string& s) {
    trace_.push_back(s);
    if (trace_.size() > 200) trace_.pop_front();
  }
  bool fail(const std::string& what) {
    if (failure_.empty()) failure_ = what;
    return false;
  }

  // One operation; false when it failed (the power went off) or a check failed.
  bool do_step() {
    const uint32_t r = rng_() % 100;
    if (r < 50) return append();
    if (r < 76) return sync();
    if (r < 91) return truncate();
    if (r < 95) return trim();
    return clean_restart();
  }

  // `large`: sometimes up to 5000 bytes, so that batches span pages.
  std::string payload(bool large) {
    size_t len = rng_() % 64;
    if (large && rng_() % 10 == 0) len = rng_() % 5000;
    std::string p = "s" + std::to_string(seed_) + "/" + std::to_string(serial_++) + ":";
    for (size_t i = 0; i < len; i += 8) {  // eight letters from one draw
      uint64_t bits = rng_();
      for (size_t k = i; k < std::min(len, i + 8); ++k, bits >>= 8) p.push_back(char('a' + (bits & 0xff) % 26));
    }
    return p;
  }

  bool append() {
    size_t n = 1 + rng_() % 8;
    const bool many = rng_() % 20 == 0;
    if (many) n = 500 + rng_() % 200;  // more than one batch (512 records), of small entries
    std::vector<Entry> entries;
    int64_t offset = int64_t(log_.size());
    if (rng_() % 10 == 0) {  // a new leader: its epoch opens with a leader_change entry
      ++epoch_;
      entries.push_back(Entry{Offset{offset++}, LeaderEpoch{epoch_}, EntryType::leader_change, payload(!many)});
    }
    while (entries.size() < n) entries.push_back(Entry{Offset{offset++}, LeaderEpoch{epoch_}, EntryType::data, payload(!many)});
    const auto timestamp_ms = int64_t(rng_() % 2'000'000'000'000);
    note("append [" + std::to_string(entries.front().offset.value()) + ", " + std::to_string(offset) + ") epoch " +
         std::to_string(epoch_));
    if (auto res = run_inline(store_->append(fs_, entries, timestamp_ms)); !res) {
      interrupted_append_ = std::move(entries);
      return failed_op(res.error());
    }
    log_.insert(log_.end(), entries.begin(), entries.end());
    return true;
  }

  bool sync() {
    note("sync (log end " + std::to_string(log_.size()) + ")");
    if (auto res = run_inline(store_->sync(fs_)); !res) return failed_op(res.error());
    durable_ = log_.size();
    return true;
  }

  // A snapshot up to a random offset: the store rolls to the batch that holds it.
  bool trim() {
    const int64_t end = int64_t(log_.size());
    if (end <= base_) return true;
    const int64_t to = base_ + 1 + int64_t(rng_() % uint64_t(end - base_));
    note("trim to " + std::to_string(to));
    if (auto res = run_inline(store_->trim_prefix(fs_, Offset{to})); !res) {
      interrupted_trim_ = true;
      return failed_op(res.error());
    }
    if (store_->base_offset().value() == base_) return true;  // the batch starts the segment already: a no-op
    ++totals_.trims;
    base_ = store_->base_offset().value();
    durable_ = log_.size();  // the new segment was written and synced whole
    return true;
  }

  bool truncate() {
    if (int64_t(log_.size()) <= base_ || store_->batches().empty()) return true;
    const auto batches = store_->batches();
    int64_t to = 0;
    if (rng_() % 2 == 0) {
      to = batches[rng_() % batches.size()].base_offset.value();
    } else {
      to = base_ + int64_t(rng_() % (log_.size() - size_t(base_)));
    }
    const bool inside = std::none_of(batches.begin(), batches.end(), [&](const BatchLocation& b) { return b.base_offset.value() == to; });
    ++(inside ? totals_.truncations_inside : totals_.truncations_at_boundary);
    note("truncate to " + std::to_string(to) + (inside ? " (inside a batch)" : " (at a batch)"));
    if (auto res = run_inline(store_->truncate_to(fs_, Offset{to})); !res) {
      interrupted_truncation_ = to;
      return failed_op(res.error());
    }
    log_.resize(size_t(to));
    // The contract: the truncation is durable (whether earlier appends became durable with it
    // is not promised, so not counted on).
    durable_ = std::min(durable_, size_t(to));
    ++epoch_;  // what follows comes from a new leader
    return true;
  }

  bool clean_restart() {
    note("clean restart");
    store_->close(fs_);
    store_.reset();
    return recover(false) && check_restart("clean restart");
  }

  bool failed_op(const LogStoreError& error) {
    note("  failed: " + error.message);
    if (!fs_.powered_off()) return fail("an operation failed with the power on: " + error.message);
    return false;
  }

  void power_cut() {
    static constexpr double kKeep[] = {0.0, 0.3, 0.7, 1.0};
    const double keep = kKeep[rng_() % 4];
    note("power cut, keeping unsynced changes with p=" + std::to_string(keep));
    store_.reset();  // its fds die with the power
    fs_.power_cut(rng_, keep);
    ++totals_.power_cuts;
    dir_ = testing::open_metadata_dir(fs_);
    if (dir_ < 0) {
      fail("the metadata directory is gone");
      return;
    }
    if (recover(true)) check_after_power_cut();
  }

  void kill() {
    note("kill -9");
    store_.reset();
    fs_.process_crash();
    dir_ = testing::open_metadata_dir(fs_);
    if (recover(true)) check_restart("kill -9");
  }

  // Recovery. With `may_cut`, sometimes itself cut short by the power; and a power-off the life
  // armed may strike in it too: then the power is cut and recovery runs again
  // (cut_in_recovery_).
  bool recover(bool may_cut) {
    const bool armed = may_cut && rng_() % 4 == 0;
    if (armed) fs_.power_off_after(rng_() % 12);
    cut_in_recovery_ = false;
    for (int attempt = 0;; ++attempt) {
      auto opened = MetadataLogStore::open(fs_, dir_);
      if (opened) {
        if (armed && !cut_in_recovery_) fs_.power_off_after(uint64_t{1} << 60);  // disarm what did not strike
        totals_.torn_tails += opened->stats.bytes_truncated > 0 ? 1 : 0;
        totals_.truncations_finished_by_recovery += opened->stats.truncation_finished ? 1 : 0;
        note("recovered " + std::to_string(opened->entries.size()) + " entries, " +
             std::to_string(opened->stats.bytes_truncated) + " bytes cut" +
             (opened->stats.truncation_finished ? ", truncation finished" : "") +
             (opened->stats.journal_discarded ? ", journal discarded" : ""));
        recovered_ = std::move(opened->entries);
        store_.emplace(std::move(opened->store));
        return check_store();
      }
      if (!fs_.powered_off() || attempt == 10) return fail("recovery failed: " + opened.error().message);
      note("power off during recovery (" + opened.error().message + "), power cut with p=0.5");
      fs_.power_cut(rng_, 0.5);
      ++totals_.power_cuts;
      cut_in_recovery_ = true;
      dir_ = testing::open_metadata_dir(fs_);
    }
  }

  bool check_store() {
    const int64_t base = store_->base_offset().value();
    for (size_t i = 0; i < recovered_.size(); ++i) {
      if (recovered_[i].offset.value() != base + int64_t(i)) {
        return fail("not contiguous: entry " + std::to_string(i) + " has offset " +
                    std::to_string(recovered_[i].offset.value()) + " after base " + std::to_string(base));
      }
    }
    if (store_->end_offset().value() != base + int64_t(recovered_.size())) return fail("end_offset() disagrees with the entries");
    const std::string segment = std::string(testing::kMetaDir) + "/" + segment_file_name(Offset{base});
    if (fs_.contents(segment).size() != store_->size_bytes()) return fail("size_bytes() is not the file size");
    for (const std::string& name : fs_.list_dir(testing::kMetaDir)) {
      if (name.ends_with(".log") && name != segment_file_name(Offset{base})) return fail("an old segment is left: " + name);
    }
    uint64_t position = 0;
    for (const BatchLocation& b : store_->batches()) {
      if (b.position != position) return fail("batch index has a gap at " + std::to_string(position));
      if (b.base_offset.value() >= base + int64_t(recovered_.size())) return fail("batch index beyond the entries");
      position += b.size_bytes;
    }
    if (position != store_->size_bytes()) return fail("batch index does not cover the file");
    if (fs_.exists(testing::kJournalPath)) return fail("truncation journal left behind");
    return true;
  }

  void check_after_power_cut() {
    // The front: where the last trim left it, or where an interrupted one got to.
    const int64_t base = store_->base_offset().value();
    if (base != base_ && !(interrupted_trim_ && base > base_)) {
      fail("the log starts at " + std::to_string(base) + ", the store's last trim left it at " + std::to_string(base_));
      return;
    }
    std::vector<Entry> from_zero(log_.begin(), log_.begin() + std::min<int64_t>(base, int64_t(log_.size())));
    from_zero.insert(from_zero.end(), recovered_.begin(), recovered_.end());
    recovered_ = std::move(from_zero);  // compared below as if the trimmed front were still there
    // What must be there: the synced entries, less what an interrupted truncation may have cut.
    size_t floor = durable_;
    if (interrupted_truncation_) floor = std::min(floor, size_t(*interrupted_truncation_));
    // What may be there: the log the store held, plus an interrupted append.
    std::vector<Entry> ceiling = log_;
    ceiling.insert(ceiling.end(), interrupted_append_.begin(), interrupted_append_.end());
    if (recovered_.size() < floor) {
      fail("lost synced entries: " + std::to_string(recovered_.size()) + " recovered, " + std::to_string(floor) +
           " were durable");
      return;
    }
    if (recovered_.size() > ceiling.size()) {
      fail(std::to_string(recovered_.size()) + " entries recovered, only " + std::to_string(ceiling.size()) +
           " were ever held");
      return;
    }
    for (size_t i = 0; i < recovered_.size(); ++i) {
      if (!(recovered_[i] == ceiling[i])) {
        fail("entry " + std::to_string(i) + " is not the one the store held" + (i < floor ? " (it was synced)" : ""));
        return;
      }
    }
    totals_.synced_entries_checked += floor;
    // All that survived a power cut is on disk now (and recovery synced its cuts).
    log_ = std::move(recovered_);
    durable_ = log_.size();
    base_ = base;
    interrupted_append_.clear();
    interrupted_truncation_.reset();
    interrupted_trim_ = false;
  }

  // After a clean restart or kill -9 nothing is lost, unless the power went during recovery.
  bool check_restart(const char* when) {
    if (cut_in_recovery_) {
      check_after_power_cut();
      return failure_.empty();
    }
    const std::vector<Entry> held(log_.begin() + std::min<int64_t>(base_, int64_t(log_.size())), log_.end());
    if (store_->base_offset().value() != base_ || recovered_ != held) {
      return fail(std::string(when) + ": recovered " + std::to_string(recovered_.size()) + " entries from " +
                  std::to_string(store_->base_offset().value()) + ", the store held " + std::to_string(held.size()) +
                  " from " + std::to_string(base_) + " (or they differ)");
    }
    return true;
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
  Totals& totals_;
  storage::ManualClock clock_;
  FaultFiles fs_{clock_};
  int dir_ = -1;
  std::optional<MetadataLogStore> store_;
  std::vector<Entry> log_;        // what the store holds, by its successful operations
  size_t durable_ = 0;            // log_[0, durable_) must survive a power cut
  std::vector<Entry> recovered_;  // what the last recovery returned
  std::vector<Entry> interrupted_append_;
  std::optional<int64_t> interrupted_truncation_;
  int64_t base_ = 0;               // the segment's base offset: log_ below it is trimmed
  bool interrupted_trim_ = false;  // a trim the power cut short: the base may have moved
  bool cut_in_recovery_ = false;
  int32_t epoch_ = 1;
  uint64_t serial_ = 0;
  std::deque<std::string> trace_;
  std::string failure_;
};

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::strtoull(v, nullptr, 10);
}

TEST(LogStorePowerCut, RandomSchedulesLoseNothingSyncedAndInventNothing) {
  const char* one = std::getenv("RUNNEL_LOG_STORE_SEED");
  const uint64_t first = one != nullptr ? env_u64("RUNNEL_LOG_STORE_SEED", 0) : 1;
  const uint64_t count = one != nullptr ? 1 : env_u64("RUNNEL_LOG_STORE_SCHEDULES", 3000);
  Totals totals;
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t seed = first; seed < first + count; ++seed) {
    Schedule s(seed, totals);
    const std::string failure = s.run();
    if (one != nullptr) std::printf("schedule %llu trace:\n%s", (unsigned long long)seed, s.trace().c_str());
    if (!failure.empty()) {
      FAIL() << "seed " << seed << ": " << failure << "\nreproduce: RUNNEL_LOG_STORE_SEED=" << seed
             << " raft_test --gtest_filter='LogStorePowerCut.*'\nlast steps:\n"
             << s.trace();
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "%llu schedules in %lld ms: %llu power cuts, %llu truncations inside a batch, %llu at a batch boundary, "
      "%llu torn tails cut, %llu truncations finished by recovery, %llu trims, %llu synced entries checked\n",
      (unsigned long long)count, (long long)ms, (unsigned long long)totals.power_cuts,
      (unsigned long long)totals.truncations_inside, (unsigned long long)totals.truncations_at_boundary,
      (unsigned long long)totals.torn_tails, (unsigned long long)totals.truncations_finished_by_recovery,
      (unsigned long long)totals.trims, (unsigned long long)totals.synced_entries_checked);
  if (one == nullptr && count >= 1000) {
    // The schedules must reach the paths they are there for.
    EXPECT_GT(totals.truncations_inside, 0u);
    EXPECT_GT(totals.torn_tails, 0u);
    EXPECT_GT(totals.truncations_finished_by_recovery, 0u);
    EXPECT_GT(totals.trims, 0u);
  }
}

}  // namespace
}  // namespace runnel::raft
