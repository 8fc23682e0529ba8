// Power cuts at every step (LevelDB's fault_injection_test, for the partition log).
//
// A schedule, chosen by a seed, runs the real PartitionLog on FaultFiles (an in-memory file
// system that knows what was synced): appends (plain and idempotent-producer batches), flushes
// (acks=all), segment rolls, retention, compaction swaps, clean restarts. At a random point the
// power goes off (every later file operation fails) or the process is killed; then the file
// system keeps only what the model allows (fault_files.h), the real loader recovers, and the
// invariants below are checked. Several such lives per schedule.
//
// Invariants after every recovery:
//   acked      every offset acknowledged by flush() (and not removed by retention from the
//              front) is present and its batch byte-identical; compaction may only have removed
//              a record whose key has a later record in the log
//   no garbage every record served is the one appended at that offset
//   no hole    offsets strictly increase; a gap is only where compaction removed superseded
//              records; the log end is one past the last batch
//   producers  the idempotent-producer state equals the one rebuilt from the log's batches
//   indexes    a read at any offset starts at the batch holding it (or the next one in a gap);
//              a timestamp look-up finds what a scan of the log finds
//
// Reproduce a failure: RUNNEL_POWER_CUT_SEED=<seed> storage_faults_test --gtest_filter=PowerCut.*
// (prints the schedule's trace). RUNNEL_POWER_CUT_SCHEDULES=<n> changes how many seeds run;
// RUNNEL_POWER_CUT_WATCH=<substring> adds the file operations on matching paths to the trace.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <sstream>

#include "broker/storage/cleaner.h"
#include "broker/storage/fault_files.h"
#include "compaction_util.h"

namespace runnel::storage {
namespace {

using testing::KV;
using testing::Rec;

constexpr const char* kDir = "/data/topic-0";
constexpr int64_t kProducers[] = {7, 8};

struct Appended {
  Rec rec;
  bool acked = false;
};

struct Batch {
  records::BatchHeader header;
  std::vector<uint8_t> bytes;
};

class Schedule {
 public:
  Schedule(uint64_t seed, io::Ring& ring) : seed_(seed), rng_(seed), ring_(ring) {}

  // Empty on success, else what failed (with the schedule's recent trace).
  std::string run() {
    if (const char* watch = std::getenv("RUNNEL_POWER_CUT_WATCH")) {  // debugging: ops on matching paths
      const std::string w = watch;
      fs_.set_fault_hook([this, w](FileOpKind k, const std::string& path) {
        if (path.find(w) != std::string::npos) note(std::string("    fs: ") + file_op_name(k) + " " + path);
        return 0;
      });
    }
    choose_config();
    if (!open()) return failure_;
    const int lives = 3 + int(rng_() % 4);
    for (int life = 0; life < lives && failure_.empty(); ++life) {
      const bool power_off = rng_() % 4 != 0;
      if (power_off) fs_.power_off_after(rng_() % 120);
      const int steps = 10 + int(rng_() % 50);
      for (int step = 0; step < steps && failure_.empty() && !fs_.powered_off(); ++step) {
        const auto t0 = std::chrono::steady_clock::now();
        do_step();
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        if (ms > 20) note("  ^ took " + std::to_string(ms) + " ms");
      }
      if (failure_.empty()) crash();
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
    if (trace_.size() > 80) trace_.pop_front();
  }
  bool fail(const std::string& what) {
    if (!failure_.empty()) return false;
    failure_ = what + "\nfiles:";
    for (const std::string& name : fs_.list_dir(kDir)) {
      failure_ += " " + name + "(" + std::to_string(fs_.contents(std::string(kDir) + "/" + name).size()) + ")";
    }
    failure_ += "\nbatches read:";
    for (const auto& [base, last] : seen_) failure_ += " [" + std::to_string(base) + "," + std::to_string(last) + "]";
    return false;
  }

  void choose_config() {
    config_.segment_bytes = 1024 + int64_t(rng_() % 7000);
    config_.index_interval_bytes = 64 + int32_t(rng_() % 900);
    if (rng_() % 2 == 0) config_.segment_ms = 3000;
    if (rng_() % 3 == 0) config_.flush_messages = 1 + int64_t(rng_() % 10);
    if (rng_() % 5 < 2) {
      config_.cleanup_compact = true;
      config_.cleanup_delete = rng_() % 2 == 0;
      config_.min_cleanable_dirty_ratio = 0;
    }
    if (rng_() % 2 == 0) config_.retention_bytes = 4000 + int64_t(rng_() % 16000);
    if (rng_() % 3 == 0) config_.retention_ms = 5000;
    cleaner_.backoff_ms = 10;
    cleaner_.dedupe_buffer_size = 1 << 20;  // the default 128 MiB map costs seconds to set up
    std::ostringstream c;
    c << "config: segment.bytes=" << config_.segment_bytes << " index.interval=" << config_.index_interval_bytes
      << " segment.ms=" << config_.segment_ms << " flush.messages=" << config_.flush_messages
      << " compact=" << config_.cleanup_compact << " delete=" << config_.cleanup_delete
      << " retention.bytes=" << config_.retention_bytes << " retention.ms=" << config_.retention_ms;
    note(c.str());
  }

  bool open() {
    RecoveryStats stats;
    auto opened = PartitionLog::open(env_, kDir, config_, &stats);
    while (!opened && fs_.powered_off()) {  // the power went off during recovery: cut it again
      note("power off during recovery (" + opened.error() + "), power cut with p=0.5");
      fs_.power_cut(rng_, 0.5);
      opened = PartitionLog::open(env_, kDir, config_, &stats);
    }
    if (!opened) return fail("open failed: " + opened.error());
    log_ = std::move(opened).value();
    std::ostringstream s;
    s << "open: clean=" << stats.clean_shutdown << " recovered=" << stats.segments_recovered
      << " truncated=" << stats.bytes_truncated << " deleted=" << stats.segments_deleted
      << " start=" << log_->log_start_offset().value() << " leo=" << log_->log_end_offset().value()
      << " segments=" << log_->segment_count();
    note(s.str());
    for (int64_t pid : kProducers) {
      const ProducerEntry* e = log_->producer_state().find(ProducerId(pid));
      next_seq_[pid] = e != nullptr && e->last_seq() >= 0 ? e->last_seq() + 1 : 0;
    }
    return true;
  }

  void do_step() {
    const uint32_t r = rng_() % 100;
    if (r < 55) {
      append();
    } else if (r < 72) {
      flush();
    } else if (r < 80) {
      clock_.advance(int64_t(rng_() % 2500));
      log_->maybe_flush(clock_.now_ms());
      note("clock +");
    } else if (r < 86) {
      note("retention");
      ring_.block_on(log_->enforce_retention(clock_.now_ms()));
      if (!fs_.powered_off()) floor_ = std::max(floor_, log_->log_start_offset().value());
    } else if (r < 92) {
      compact();
    } else if (r < 97) {
      note("quiesce");
      ring_.block_on(log_->quiesce());
    } else {
      note("clean restart");
      ring_.block_on(log_->close());
      if (fs_.powered_off()) {
        crash();  // the power went off during the close
      } else {
        log_.reset();
        fs_.process_crash();
        if (open()) verify();
      }
    }
  }

  void append() {
    const int n = 1 + int(rng_() % 4);
    std::vector<KV> kvs;
    for (int i = 0; i < n; ++i) {
      const size_t len = 1 + rng_() % 300;
      std::string value(len, 'a');
      for (char& c : value) c = char('a' + rng_() % 26);
      kvs.push_back({testing::numbered("k", int64_t(rng_() % 8)), value, clock_.now_ms() + i});
    }
    int64_t pid = -1;
    int16_t epoch = -1;
    int32_t seq = -1;
    if (rng_() % 10 < 3) {
      pid = kProducers[rng_() % 2];
      epoch = 0;
      seq = next_seq_[pid];
    }
    // The log owns its share: a refused append's bytes may stay queued after this scope.
    SharedBytes batch = SharedBytes::take(testing::keyed_batch(kvs, records::Compression::none, pid, epoch, seq));
    AppendResult r = ring_.block_on(log_->append(batch, LeaderEpoch(1)));
    std::ostringstream s;
    s << "append " << n << " records pid " << pid << " seq " << seq << " -> " << name(r.error) << " ["
      << r.base_offset.value() << ", " << r.last_offset.value() << "]";
    note(s.str());
    if (r.error != Errc::none) {
      if (!fs_.powered_off()) fail("append failed without a fault: " + std::string(name(r.error)));
      return;
    }
    if (r.duplicate || r.last_offset.value() - r.base_offset.value() != n - 1) {
      fail("append returned unexpected offsets");
      return;
    }
    for (int i = 0; i < n; ++i) {
      const int64_t o = r.base_offset.value() + i;
      appended_[o] = {Rec{o, kvs[size_t(i)].key, kvs[size_t(i)].value, kvs[size_t(i)].ts}, false};
    }
    batches_[r.base_offset.value()] = std::vector<uint8_t>(batch.span().begin(), batch.span().end());  // as stored: base offset and leader epoch patched
    if (pid >= 0) next_seq_[pid] = seq + n;
  }

  void flush() {
    const Result<void, Errc> e = ring_.block_on(log_->flush(Offset(INT64_MAX - 1)));
    note(std::string("flush -> ") + (e ? "ok" : name(e.error())));
    if (e) {
      for (auto& [_, a] : appended_) a.acked = true;
    } else if (!fs_.powered_off()) {
      fail("flush failed without a fault");
    }
  }

  void compact() {
    ring_.block_on(log_->quiesce());
    compacted_ = true;  // even a failed swap may have renamed files
    CleanResult r = ring_.block_on(clean_log(*log_, cleaner_, clock_.now_ms()));
    std::ostringstream s;
    s << "compact -> status " << int(r.status) << " groups " << r.groups_swapped << " segments "
      << r.segments_replaced << " checkpoint " << r.new_checkpoint;
    note(s.str());
  }

  void crash() {
    ring_.block_on(log_->quiesce());
    log_.reset();
    const uint32_t kind = rng_() % 6;
    if (kind == 0 && !fs_.powered_off()) {
      note("kill -9");
      fs_.process_crash();
    } else {
      const double keep = double(std::max<uint32_t>(kind, 1) - 1) / 4.0;  // 0, 0.25, 0.5, 0.75, 1
      note("power cut, unsynced changes kept with p=" + std::to_string(keep));
      fs_.power_cut(rng_, keep);
    }
    if (open()) verify();
  }

  // Every batch from the log start to the end, as a consumer reads them.
  bool read_all(std::vector<Batch>& out) {
    int64_t next = log_->log_start_offset().value();
    const int64_t leo = log_->log_end_offset().value();
    while (next < leo) {
      ReadResult r = ring_.block_on(log_->read(Offset(next), 1 << 20, Offset(INT64_MAX), true));
      if (r.error != Errc::none) return fail("read at " + std::to_string(next) + ": " + std::string(name(r.error)));
      if (r.bytes.empty()) return fail("nothing served at " + std::to_string(next) + " < LEO " + std::to_string(leo));
      for (size_t pos = 0; pos < r.bytes.size();) {
        Batch b;
        if (!records::parse_header(r.bytes.data() + pos, r.bytes.size() - pos, b.header) ||
            pos + size_t(b.header.size_bytes()) > r.bytes.size() ||
            !records::batch_crc_matches(r.bytes.data() + pos, size_t(b.header.size_bytes()))) {
          return fail("bad batch served near offset " + std::to_string(next));
        }
        b.bytes.assign(r.bytes.data() + pos, r.bytes.data() + pos + b.header.size_bytes());
        pos += b.bytes.size();
        if (!out.empty() && b.header.base_offset <= out.back().header.last_offset()) {
          return fail("offsets do not increase at " + std::to_string(b.header.base_offset));
        }
        next = b.header.last_offset() + 1;
        seen_.emplace_back(b.header.base_offset, b.header.last_offset());
        out.push_back(std::move(b));
      }
    }
    return true;
  }

  void verify() {
    seen_.clear();
    std::vector<Batch> batches;
    if (!read_all(batches)) return;
    const int64_t start = log_->log_start_offset().value(), leo = log_->log_end_offset().value();
    if (!batches.empty() && batches.back().header.last_offset() + 1 != leo) {
      fail("LEO " + std::to_string(leo) + " is not one past the last batch");
      return;
    }
    if (!batches.empty() && batches.front().header.base_offset < start) fail("a batch below the log start");
    std::map<int64_t, Rec> present;
    std::map<std::string, int64_t> last_of_key;
    for (const Batch& b : batches) {
      for (const Rec& r : testing::records_of(b.bytes)) {
        present[r.offset] = r;
        last_of_key[*r.key] = r.offset;
      }
    }
    auto superseded = [&](int64_t o) {
      auto it = appended_.find(o);
      if (!compacted_ || it == appended_.end()) return false;
      auto last = last_of_key.find(*it->second.rec.key);
      return last != last_of_key.end() && last->second > o;
    };
    // No garbage: every record is the one appended there.
    for (const auto& [o, r] : present) {
      auto it = appended_.find(o);
      if (it == appended_.end() || !(it->second.rec == r)) {
        fail("offset " + std::to_string(o) + " holds a record that was never appended there");
        return;
      }
    }
    // No hole: gaps only where compaction removed superseded records.
    int64_t expect = start;
    for (const Batch& b : batches) {
      for (int64_t g = expect; g < b.header.base_offset; ++g) {
        if (!superseded(g)) {
          fail("hole at offset " + std::to_string(g) + " before batch " + std::to_string(b.header.base_offset));
          return;
        }
      }
      expect = b.header.last_offset() + 1;
    }
    // Acknowledged data: present and byte-identical, or legitimately gone.
    for (const auto& [o, a] : appended_) {
      if (!a.acked || o < std::max(floor_, start)) continue;
      if (o >= leo) {
        fail("acknowledged offset " + std::to_string(o) + " lost (LEO " + std::to_string(leo) + ")");
        return;
      }
      if (present.count(o) == 0 && !superseded(o)) {
        fail("acknowledged offset " + std::to_string(o) + " lost");
        return;
      }
    }
    for (const Batch& b : batches) {
      auto it = batches_.find(b.header.base_offset);
      if (it != batches_.end() && it->second.size() == b.bytes.size() && it->second != b.bytes) {
        fail("batch " + std::to_string(b.header.base_offset) + " differs from what was appended");
        return;
      }
    }
    check_producers(batches);
    check_indexes(batches);
    if (!failure_.empty()) return;
    // What survived is durable now (the loader synced it): hold the log to it from here on.
    appended_.erase(appended_.lower_bound(leo), appended_.end());
    batches_.erase(batches_.lower_bound(leo), batches_.end());
    for (auto& [o, a] : appended_) a.acked = a.acked || present.count(o) != 0;
    floor_ = std::max(floor_, start);
  }

  void check_producers(const std::vector<Batch>& batches) {
    ProducerStateTable rebuilt;
    for (const Batch& b : batches) rebuilt.update(b.header, Offset(b.header.base_offset), AppendOrigin::replay);
    for (int64_t pid : kProducers) {
      const ProducerEntry* want = rebuilt.find(ProducerId(pid));
      const ProducerEntry* got = log_->producer_state().find(ProducerId(pid));
      if ((want == nullptr) != (got == nullptr)) {
        fail("producer " + std::to_string(pid) + " state present in only one of log and rebuilt");
        return;
      }
      if (want == nullptr) continue;
      bool same = want->epoch == got->epoch && want->batches.size() == got->batches.size();
      for (size_t i = 0; same && i < want->batches.size(); ++i) {
        const ProducerBatch &w = want->batches[i], &g = got->batches[i];
        same = w.first_seq == g.first_seq && w.last_seq == g.last_seq && w.base_offset == g.base_offset &&
               w.last_offset == g.last_offset;
      }
      if (!same) fail("producer " + std::to_string(pid) + " state differs from the log");
    }
  }

  void check_indexes(const std::vector<Batch>& batches) {
    if (batches.empty()) return;
    // Offset look-ups: a random offset of each batch, and one in each gap.
    int64_t prev_end = log_->log_start_offset().value();
    for (const Batch& b : batches) {
      const int64_t span = b.header.last_offset() - b.header.base_offset + 1;
      std::vector<int64_t> probes{b.header.base_offset + int64_t(rng_() % uint64_t(span))};
      if (prev_end < b.header.base_offset) probes.push_back(prev_end);
      for (int64_t o : probes) {
        ReadResult r = ring_.block_on(log_->read(Offset(o), 1, Offset(INT64_MAX), true));
        records::BatchHeader h;
        if (r.error != Errc::none || !records::parse_header(r.bytes.data(), r.bytes.size(), h) ||
            h.base_offset != b.header.base_offset) {
          fail("read at " + std::to_string(o) + " does not start at batch " + std::to_string(b.header.base_offset));
          return;
        }
      }
      prev_end = b.header.last_offset() + 1;
    }
    // Timestamp look-ups against a scan.
    for (int i = 0; i < 4; ++i) {
      const Batch& pick = batches[rng_() % batches.size()];
      const int64_t ts = pick.header.base_timestamp + int64_t(rng_() % 4) - 1;
      std::optional<int64_t> want;
      for (const Batch& b : batches) {
        if (b.header.max_timestamp < ts) continue;
        for (const Rec& r : testing::records_of(b.bytes)) {
          if (r.timestamp >= ts) {
            want = r.offset;
            break;
          }
        }
        if (!want) want = b.header.base_offset;
        break;
      }
      std::optional<TimestampOffset> got = ring_.block_on(log_->offset_for_timestamp(ts));
      if (want.has_value() != got.has_value() || (want && *want != got->offset.value())) {
        fail("offset_for_timestamp(" + std::to_string(ts) + ") = " +
             (got ? std::to_string(got->offset.value()) : std::string("none")) + ", a scan finds " +
             (want ? std::to_string(*want) : std::string("none")));
        return;
      }
    }
  }

  const uint64_t seed_;
  std::mt19937_64 rng_;
  io::Ring& ring_;
  ManualClock clock_;
  FaultFiles fs_{clock_};
  StagingPool staging_;
  RecentWrites recent_;
  LogEnv env_{ring_, fs_, fs_, staging_, recent_, clock_, nullptr};
  LogConfig config_;
  CleanerConfig cleaner_;
  std::unique_ptr<PartitionLog> log_;
  std::map<int64_t, Appended> appended_;              // by offset, this history's records
  std::map<int64_t, std::vector<uint8_t>> batches_;   // by base offset, as appended
  std::map<int64_t, int32_t> next_seq_;
  bool compacted_ = false;
  int64_t floor_ = 0;  // highest log start seen: retention may remove acknowledged data below it
  std::deque<std::string> trace_;
  std::vector<std::pair<int64_t, int64_t>> seen_;  // batches of the last verification
  std::string failure_;
};

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::strtoull(v, nullptr, 10);
}

// Storage prints a line to stderr whenever a log fails, which a power cut makes it do thousands
// of times: hidden while schedules run.
class QuietStderr {
 public:
  QuietStderr() : saved_(::dup(2)) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    ::close(null);
  }
  ~QuietStderr() {
    ::dup2(saved_, 2);
    ::close(saved_);
  }

 private:
  int saved_;
};

TEST(PowerCut, RandomSchedulesLoseNothingAcknowledged) {
  io::Ring ring;
  const char* one = std::getenv("RUNNEL_POWER_CUT_SEED");
  const uint64_t first = one != nullptr ? env_u64("RUNNEL_POWER_CUT_SEED", 0) : 1;
  const uint64_t count = one != nullptr ? 1 : env_u64("RUNNEL_POWER_CUT_SCHEDULES", 5000);
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t seed = first; seed < first + count; ++seed) {
    std::string failure, trace;
    const auto t0 = std::chrono::steady_clock::now();
    {
      QuietStderr quiet;
      Schedule s(seed, ring);
      failure = s.run();
      trace = s.trace();
    }
    const auto seed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    if (one != nullptr) {
      std::printf("schedule %llu (%lld ms) trace:\n%s", (unsigned long long)seed, (long long)seed_ms, trace.c_str());
    }
    if (!failure.empty() || ::testing::Test::HasFailure()) {
      FAIL() << "seed " << seed << ": " << failure << "\nreproduce: RUNNEL_POWER_CUT_SEED=" << seed
             << " storage_faults_test --gtest_filter=PowerCut.*\nlast steps:\n"
             << trace;
    }
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  std::printf("%llu schedules in %lld ms\n", (unsigned long long)count, (long long)ms);
}

}  // namespace
}  // namespace runnel::storage
