#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "broker/io/ring.h"
#include "broker/records/batch_builder.h"
#include "broker/records/batch_header.h"
#include "broker/storage/blocking_files.h"
#include "broker/model/shared_bytes.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/ring_files.h"

namespace runnel::storage::testing {

inline std::string temp_dir() {
  char tmpl[] = "/tmp/runnel-storage-XXXXXX";
  std::string d = mkdtemp(tmpl);
  return d + "/topic-0";
}

// A batch of `n` records with timestamps ts, ts+1, ...; value size `value_bytes`.
inline std::vector<uint8_t> make_batch(int n, int64_t ts = 1000, size_t value_bytes = 10,
                                       int64_t producer_id = -1, int16_t epoch = -1, int32_t seq = -1) {
  std::vector<std::string> values(size_t(n), std::string(value_bytes, 'v'));
  std::vector<records::RecordInput> recs;
  for (int i = 0; i < n; ++i) {
    records::RecordInput r;
    r.value = values[size_t(i)];
    r.timestamp = ts + i;
    recs.push_back(r);
  }
  records::BatchOptions o;
  o.producer_id = producer_id;
  o.producer_epoch = epoch;
  o.base_sequence = seq;
  return records::build_batch(o, recs);
}

// A log environment on a real io_uring and the real file system.

// The test's own vector as the log's buffer (the test awaits every append, so it outlives the
// write): the stamped header is visible in `b` afterwards, as some tests check.
inline SharedBytes borrow(std::vector<uint8_t>& b) {
  return SharedBytes(std::shared_ptr<std::vector<uint8_t>>(&b, [](std::vector<uint8_t>*) {}));
}

struct RealEnv {
  io::Ring ring;
  RingFiles files{ring};
  StagingPool staging;
  RecentWrites recent;
  LogEnv env{ring, files, BlockingFiles::instance(), staging, recent, SystemClock::instance(), nullptr};
};

struct LogFixture : ::testing::Test, RealEnv {
  std::string dir = temp_dir();
  LogConfig config;
  std::unique_ptr<PartitionLog> log;
  RecoveryStats stats;

  void TearDown() override {
    if (log) close_log();
    std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
  }
  void open_log() {
    stats = {};
    auto opened = PartitionLog::open(env, dir, config, &stats);
    ASSERT_TRUE(opened.has_value()) << opened.error();
    log = std::move(opened).value();
  }
  void close_log() {
    ring.block_on(log->close());
    log.reset();
  }
  // Simulated crash: drop the object without close (no checkpoint, no index files for the
  // active segment). Page cache content survives, as it does after kill -9.
  void crash() {
    (void)ring.block_on(log->flush(Offset(INT64_MAX - 1)));
    log.reset();
  }
  AppendResult append(std::vector<uint8_t>& batch, int32_t epoch = 0) {
    return ring.block_on(log->append(borrow(batch), LeaderEpoch(epoch)));
  }
  AppendResult append_n(int n, int64_t ts = 1000, size_t value_bytes = 10) {
    auto b = make_batch(n, ts, value_bytes);
    return append(b);
  }
  ReadResult read(int64_t start, int32_t max_bytes = 1 << 20, int64_t max_offset = INT64_MAX, bool min_one = true) {
    return ring.block_on(log->read(Offset(start), max_bytes, Offset(max_offset), min_one));
  }
  std::string path(int64_t base, const char* suffix) { return dir + "/" + segment_file_name(base, suffix); }
  static int64_t file_size(const std::string& p) { return int64_t(std::filesystem::file_size(p)); }
};

// Headers of the batches in a read result.
inline std::vector<records::BatchHeader> batches_of(std::span<const uint8_t> bytes) {
  std::vector<records::BatchHeader> out;
  for (size_t pos = 0; pos < bytes.size();) {
    records::BatchHeader h;
    EXPECT_TRUE(records::parse_header(bytes.data() + pos, bytes.size() - pos, h));
    EXPECT_TRUE(records::batch_crc_matches(bytes.data() + pos, size_t(h.size_bytes())));
    out.push_back(h);
    pos += size_t(h.size_bytes());
  }
  return out;
}

}  // namespace runnel::storage::testing
