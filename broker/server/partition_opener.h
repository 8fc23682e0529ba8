#pragma once

// Opening the partition logs one metadata image adds to a core, all at once. A createTopics call
// of 100 topics × 10 partitions gives one core hundreds of new partitions; opened one after
// another, each cost a mkdir, two fsyncs of the log directory, a recovery checkpoint and a
// partition.metadata (fdatasync, rename, fsync each): ~6 device flushes in a row per partition.
// Here a batch costs
//   1. per partition, in parallel: drop a stale incarnation's directory (its partition.metadata
//      names another topic id: a topic deleted, then re-created under the same name before the
//      old directory was removed), then mkdir;
//   2. one fsync of the log directory, which makes every new entry durable;
//   3. per partition, in parallel: PartitionLog::open without its own parent fsync (a new
//      partition writes no recovery checkpoint: a missing one already means "unclean from 0"),
//      then partition.metadata written without a sync: the log syncs it when it creates its
//      first segment, before that segment's directory fsync (partition_metadata.h), so a new
//      partition costs no device flush of its own until it gets its first record.
// The durability contract of storage/FORMAT.md ("open a partition") is unchanged: every
// directory entry is synced into its parent before anything in it can be acknowledged.
//
// Blocking file-system work: call it on a helper thread (io::run_blocking), or inline before
// the core serves. It touches no shard state; the opened logs are handed back in `batch`.

#include <memory>
#include <string>
#include <vector>

#include "broker/model/uuid.h"
#include "broker/storage/env.h"
#include "broker/storage/log_config.h"
#include "broker/storage/partition_log.h"

namespace runnel::server {

struct PartitionOpen {
  std::string dir;  // <log dir>/<topic>-<partition>
  storage::LogConfig config;
  Uuid topic_id;
  std::unique_ptr<storage::PartitionLog> log;  // set when opened
  std::string error;                           // why not, otherwise
};

// Threads used for the parallel steps, the caller's included: file-system calls that may wait
// on the journal (mkdir, create, rename), few enough not to crowd the core's ring thread.
inline constexpr int kOpenThreads = 4;

// Opens every entry of `batch` whose directory is under `log_dir`; each one ends with `log` or
// `error` set. `background`: the calling thread is a helper of its own (io::run_blocking), and it
// and the threads it starts run at the lowest CPU priority (nice 19), so that ring threads, the
// metadata quorum's included, keep the core first while thousands of partitions open; never
// on a ring thread.
void open_partitions(storage::LogEnv& env, const std::string& log_dir, std::vector<PartitionOpen>& batch,
                     bool background, int threads = kOpenThreads);

}  // namespace runnel::server
