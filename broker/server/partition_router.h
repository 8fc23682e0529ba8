#pragma once

// What the partition handlers (Produce, Fetch, ListOffsets) ask of partitions and fetch
// sessions, wherever these live. Router (router.h) implements it over the cores of this broker;
// handler unit tests give the handlers a fake (tests/unit/server/partition_handlers_test.cc).
//
// Every operation's result carries a Kafka error: routing outcomes ("no replica here": later
// also "the leader is elsewhere") are decided by the implementation, in one place, and the
// handlers only put them in their responses.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "broker/cluster/metadata_image.h"
#include "broker/io/task.h"
#include "broker/model/byte_buffer.h"
#include "broker/model/error_code.h"
#include "broker/model/shared_bytes.h"
#include "broker/model/topic_partition.h"
#include "broker/records/stamp.h"
#include "broker/server/fetch_session.h"

namespace runnel::server {

struct Route {
  ErrorCode error = ErrorCode::none;  // none: the partition is served (on `core`)
  int core = -1;
  const cluster::TopicInfo* topic = nullptr;
};

struct AppendOutcome {
  ErrorCode error = ErrorCode::none;
  int64_t base_offset = -1;
  int64_t log_start_offset = -1;
  int64_t log_append_time_ms = -1;  // set on a LogAppendTime topic
};

struct ReadOutcome {
  ErrorCode error = ErrorCode::none;
  ByteBuffer bytes;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  int32_t uid = 0;  // the partition's AppendWatch id; 0 when it was not reached
};

// Kafka's special ListOffsets timestamps.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;
inline constexpr int64_t kMaxTimestamp = -3;
inline constexpr int64_t kEarliestLocalTimestamp = -4;

struct OffsetLookup {
  ErrorCode error = ErrorCode::none;
  int64_t timestamp = -1;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
};

class PartitionRouter {
 public:
  virtual ~PartitionRouter() = default;

  // Where tp is served, decided against the image the request saw.
  virtual Route route(const cluster::MetadataImage& image, const TopicPartition& tp) const = 0;

  // Appends already validated batches, which the partition's log stamps as `ts` says (the log
  // takes a share of their buffer); with acks == -1 answers once they are on disk. `batches`
  // must outlive the call (the caller's frame holds it; no temporaries across co_await with
  // g++ 12, see cross_call.h).
  virtual io::Task<AppendOutcome> append(const TopicPartition& tp, const SharedBytes& batches,
                                         records::TimestampStamp ts, int16_t acks) = 0;
  // Reads from pos (whole batches, at least one); with `watch`, the partition's next append
  // wakes this core's AppendWatch.
  virtual io::Task<ReadOutcome> read(const TopicPartition& tp, const FetchPosition& pos, bool watch) = 0;
  // ListOffsets for one partition: a timestamp or one of the special values above.
  virtual io::Task<OffsetLookup> list_offset(const TopicPartition& tp, int64_t timestamp,
                                             int32_t current_leader_epoch) = 0;

  // The session step of a Fetch (fetch_session.h), on the session's home.
  virtual io::Task<SessionPlan> plan_session(const SessionRequest& req) = 0;
  // After the reads: which partitions an incremental response carries.
  virtual io::Task<std::vector<bool>> report_session(int32_t session_id, bool incremental,
                                                     const std::vector<PartitionReport>& reports) = 0;
};

}  // namespace runnel::server
