#include "broker/server/router.h"

#include <chrono>

#include "broker/group/offsets_partition.h"
#include "broker/server/group_service.h"
#include "broker/server/storage_errors.h"

namespace runnel::server {

namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now().time_since_epoch()).count();
}

// Kafka's answer when a request names a leader epoch other than the partition's.
ErrorCode epoch_error(LeaderEpoch requested, LeaderEpoch current) {
  return requested > current ? ErrorCode::unknown_leader_epoch : ErrorCode::fenced_leader_epoch;
}

template <typename T>
T failed(ErrorCode e) {
  T t;
  t.error = e;
  return t;
}

io::Task<ReadOutcome> read_here(cluster::Partition& p, const FetchPosition& pos, bool watch, int origin) {
  ReadOutcome r;
  r.uid = p.uid();
  if (pos.current_leader_epoch >= 0 && LeaderEpoch(pos.current_leader_epoch) != p.leader_epoch()) {
    r.error = epoch_error(LeaderEpoch(pos.current_leader_epoch), p.leader_epoch());
    co_return r;
  }
  int64_t hw = p.high_watermark().value();
  r.high_watermark = hw;
  r.log_start_offset = p.log().log_start_offset().value();
  if (pos.fetch_offset < r.log_start_offset || pos.fetch_offset > hw) {
    r.error = ErrorCode::offset_out_of_range;
    co_return r;
  }
  if (pos.fetch_offset < hw) {
    storage::ReadResult rr = co_await p.log().read(Offset(pos.fetch_offset), pos.max_bytes, Offset(hw), true);
    r.error = to_kafka(rr.error);
    r.bytes = std::move(rr.bytes);
    r.log_start_offset = rr.log_start_offset.value();
  }
  // Watched even when some bytes came back: fewer than min_bytes must not wait out max_wait_ms.
  if (watch) p.watch(origin);
  co_return r;
}

io::Task<OffsetLookup> list_offset_here(cluster::Partition& p, int64_t timestamp, int32_t current_leader_epoch) {
  OffsetLookup r;
  if (current_leader_epoch >= 0 && LeaderEpoch(current_leader_epoch) != p.leader_epoch()) {
    r.error = epoch_error(LeaderEpoch(current_leader_epoch), p.leader_epoch());
    co_return r;
  }
  r.leader_epoch = p.leader_epoch().value();
  storage::PartitionLog& log = p.log();
  std::optional<storage::TimestampOffset> found;
  switch (timestamp) {
    case kLatestTimestamp:
      r.offset = p.high_watermark().value();
      co_return r;
    case kEarliestTimestamp:
    case kEarliestLocalTimestamp:
      r.offset = log.log_start_offset().value();
      co_return r;
    case kMaxTimestamp:
      found = co_await log.max_timestamp_record();
      break;
    default:
      // Another negative value (a tiered-storage special, say): nothing to report.
      if (timestamp < 0) co_return r;
      found = co_await log.offset_for_timestamp(timestamp);
      if (!found) r.leader_epoch = -1;
  }
  if (found) {
    r.timestamp = found->timestamp;
    r.offset = found->offset.value();
  }
  co_return r;
}

}  // namespace

Route Router::route(const cluster::MetadataImage& image, const TopicPartition& tp) const {
  const cluster::TopicInfo* t = image.topic(tp.topic);
  if (t == nullptr || !t->has_partition(tp.partition.value())) return Route{ErrorCode::unknown_topic_or_partition};
  // Led elsewhere (or by nobody): the client refreshes its metadata and goes to the leader.
  if (!here_.leads(image, tp.topic, tp.partition.value())) return Route{ErrorCode::not_leader_or_follower, -1, t};
  return Route{ErrorCode::none, owner_core(tp), t};
}

io::Task<AppendOutcome> Router::append(const TopicPartition& tp, const SharedBytes& batches,
                                       records::TimestampStamp ts, int16_t acks) {
  co_return co_await on_partition(
      tp,
      // By reference and trivially copyable values only (cross_call.h): the log copies its share.
      [&batches, ts, acks](Shard& owner, cluster::Partition& p) -> io::Task<AppendOutcome> {
        storage::AppendResult r = co_await p.log().append(batches, p.leader_epoch(), ts);
        if (r.error == storage::Errc::none && !r.duplicate) owner.notify_append(p);
        if (r.error == storage::Errc::none && acks == -1) {
          // Runnel's durability promise: acks=all is answered only once the data is on disk.
          Result<void, storage::Errc> flushed = co_await p.log().flush(r.last_offset);
          if (!flushed) co_return AppendOutcome{to_kafka(flushed.error())};
        }
        co_return AppendOutcome{to_kafka(r.error), r.base_offset.value(), r.log_start_offset.value(), r.log_append_time_ms};
      },
      failed<AppendOutcome>);
}

io::Task<ReadOutcome> Router::read(const TopicPartition& tp, const FetchPosition& pos, bool watch) {
  const int origin = here_.index();
  co_return co_await on_partition(
      tp, [&pos, watch, origin](Shard&, cluster::Partition& p) { return read_here(p, pos, watch, origin); },
      failed<ReadOutcome>);
}

io::Task<OffsetLookup> Router::list_offset(const TopicPartition& tp, int64_t timestamp, int32_t current_leader_epoch) {
  co_return co_await on_partition(
      tp,
      [timestamp, current_leader_epoch](Shard&, cluster::Partition& p) {
        return list_offset_here(p, timestamp, current_leader_epoch);
      },
      failed<OffsetLookup>);
}

int Router::session_core(int32_t session_id) const {
  return session_id > 0 ? FetchSessionCache::home_of(session_id, broker_.shard_count()) : here_.index();
}

io::Task<SessionPlan> Router::plan_session(const SessionRequest& req) {
  const bool full = FetchSessionCache::is_full_fetch(req.epoch);
  // The id of a full fetch names a session to close, on its own home; the new session is
  // created here.
  if (full && req.id != 0 && session_core(req.id) != here_.index()) {
    int32_t id = req.id;
    co_await on_core(session_core(id), [id](Shard& home) -> io::Task<bool> { co_return home.fetch_sessions().close(id); });
  }
  int home = full ? here_.index() : session_core(req.id);
  int64_t now = steady_ms();
  co_return co_await on_core(home, [&req, now](Shard& h) -> io::Task<SessionPlan> {
    co_return h.fetch_sessions().plan(req, now);
  });
}

io::Task<std::vector<bool>> Router::report_session(int32_t session_id, bool incremental,
                                                   const std::vector<PartitionReport>& reports) {
  co_return co_await on_core(session_core(session_id),
                             [&reports, session_id, incremental](Shard& home) -> io::Task<std::vector<bool>> {
                               co_return home.fetch_sessions().report(session_id, incremental, reports);
                             });
}

int Router::group_core(const std::string& group_id) const {
  int32_t p = group::offsets_partition_for(group_id, broker_.config().offsets_topic_num_partitions);
  return broker_.owner_of(kOffsetsTopic, p);
}

}  // namespace runnel::server
