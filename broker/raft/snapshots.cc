// Snapshots in the core: the owner's snapshot trims the log to the snapshot before it; a leader
// serves the snapshot its log starts at with FetchSnapshot to fetchers behind its log start; such
// a fetcher reads it chunk by chunk and installs it. As KafkaRaftClient
// (handleFetchSnapshotRequest/Response):
//
// - A leader answers a Fetch below its log start, or one whose position the trimmed prefix
//   cannot judge, with the snapshot id (RaftLog::validate_fetch).
// - The fetcher then sends FetchSnapshot{id, position = bytes so far, max_bytes}; the leader
//   answers Size (the whole snapshot's), Position and a slice of bytes (UnalignedRecords), or
//   SNAPSHOT_NOT_FOUND when it no longer has that snapshot (it made a newer one: the fetcher
//   starts over with a Fetch), or POSITION_OUT_OF_RANGE.
// - With every byte in hand the fetcher asks its owner to persist the snapshot
//   (InstallSnapshot), replaces its log with an empty one that continues the snapshot, tells the
//   state machine (Ready::snapshot_installed) and fetches records from the snapshot's end.
//
// A snapshot only ever holds committed records, so installing one never removes anything a
// fetcher has committed: it is installed only when it reaches past the fetcher's high watermark.

#include <algorithm>

#include "broker/model/assert.h"
#include "broker/raft/replica.h"
#include "broker/raft/snapshot_envelope.h"

namespace runnel::raft {

void Replica::snapshot_created(OffsetAndEpoch id, SnapshotBytes bytes) {
  // Never empty (a snapshot has at least a header), so every FetchSnapshot answer carries bytes.
  RUNNEL_ASSERT(bytes != nullptr && !bytes->empty(), "node %d: a snapshot without bytes", config_.node_id.value());
  RUNNEL_ASSERT(id.offset <= high_watermark_, "node %d: snapshot at %lld above the high watermark %lld",
                config_.node_id.value(), static_cast<long long>(id.offset.value()),
                static_cast<long long>(high_watermark_.value()));
  if (id.offset <= log_.start_offset() || (newest_.present() && id.offset <= newest_.id.offset)) return;
  Snapshot previous = std::exchange(newest_, Snapshot{id, std::move(bytes)});
  // The log keeps the records since the previous snapshot (the owner keeps that file too).
  if (!previous.present() || previous.id.offset <= log_.start_offset()) return;
  if (config_.bugs.trim_past_snapshot && previous.id.offset < high_watermark_) {
    previous.id = {Offset{previous.id.offset.value() + 1}, log_.at(previous.id.offset).epoch};
  }
  log_.trim_prefix(previous.id);
  forget_voters_below(previous.id.offset);
  snapshot_ = std::move(previous);
  issue(TrimPrefix{snapshot_.id});
}

void Replica::on_fetch_snapshot_request(NodeId from, const FetchSnapshotRequest& request) {
  FetchSnapshotResponse response{.snapshot_id = request.snapshot_id, .current_leader = current_leader()};
  response.error = fetcher_error(from, request.cluster_id, request.replica_id, request.current_leader_epoch);
  if (response.error != ErrorCode::none) {
    // refused below
  } else if (!snapshot_.present() || snapshot_.id != request.snapshot_id) {
    response.error = ErrorCode::snapshot_not_found;
  } else if (request.position < 0 || request.position >= static_cast<int64_t>(snapshot_.bytes->size())) {
    response.error = ErrorCode::position_out_of_range;
  }
  if (response.error != ErrorCode::none) {
    send(from, std::move(response));
    return;
  }
  leader_->on_snapshot_fetch(from, now_ms_);
  const auto& all = *snapshot_.bytes;
  int64_t size = static_cast<int64_t>(all.size());
  int64_t count = std::min<int64_t>(size - request.position, std::max<int32_t>(request.max_bytes, 1));
  response.size = size;
  response.position = request.position;
  response.bytes.assign(all.begin() + request.position, all.begin() + request.position + count);
  // Like a FetchResponse it depends on our epoch being durable, not on our appends.
  Held& held = outbox_.emplace_back();
  held.after = config_.bugs.send_before_persisted ? 0 : quorum_state_seq_;
  held.envelope.source = config_.node_id;
  held.envelope.destination = from;
  held.envelope.message.emplace<FetchSnapshotResponse>(std::move(response));
}

void Replica::start_snapshot_fetch(OffsetAndEpoch id) {
  snapshot_fetch_ = SnapshotFetch{.id = id};
  send_fetch_snapshot(quorum_.leader_id);
}

void Replica::send_fetch_snapshot(NodeId to) {
  RUNNEL_ASSERT(snapshot_fetch_.has_value(), "node %d: FetchSnapshot without a snapshot to fetch",
                config_.node_id.value());
  fetch_in_flight_ = true;
  fetch_sent_ms_ = now_ms_;
  send(to, FetchSnapshotRequest{config_.cluster_id, config_.node_id, quorum_.epoch, snapshot_fetch_->id,
                                static_cast<int64_t>(snapshot_fetch_->bytes.size()), config_.fetch_snapshot_max_bytes});
}

void Replica::on_fetch_snapshot_response(NodeId from, const FetchSnapshotResponse& response) {
  if (response.error == ErrorCode::inconsistent_cluster_id) return;
  const LeaderIdAndEpoch& leader = response.current_leader;
  if (leader.leader_epoch > quorum_.epoch) {
    enter_epoch(leader.leader_epoch, leader.leader_id);
    return;
  }
  if (role_ != Role::follower || from != quorum_.leader_id || leader.leader_epoch != quorum_.epoch) return;
  if (!snapshot_fetch_ || response.snapshot_id != snapshot_fetch_->id) return;
  SnapshotFetch& f = *snapshot_fetch_;
  // Answers are matched by position: a duplicated or reordered chunk does not continue ours.
  if (response.error == ErrorCode::none && response.position != static_cast<int64_t>(f.bytes.size())) return;
  fetch_in_flight_ = false;
  if (response.error == ErrorCode::snapshot_not_found || response.error == ErrorCode::position_out_of_range) {
    // The leader moved on to a newer snapshot: ask where to start again.
    snapshot_fetch_.reset();
    next_fetch_ms_ = now_ms_ + config_.retry_backoff_ms;
    return;
  }
  bool consistent = response.size > 0 && (f.size < 0 || f.size == response.size) &&
                    response.position + static_cast<int64_t>(response.bytes.size()) <= response.size &&
                    !response.bytes.empty();
  if (response.error != ErrorCode::none || !consistent) {
    next_fetch_ms_ = now_ms_ + config_.retry_backoff_ms;
    return;
  }
  if (!leader_resigned_) {  // see on_fetch_response
    last_leader_contact_ms_ = now_ms_;
    fetch_deadline_ms_ = now_ms_ + config_.fetch_timeout_ms;
  }
  f.size = response.size;
  f.bytes.insert(f.bytes.end(), response.bytes.begin(), response.bytes.end());
  if (static_cast<int64_t>(f.bytes.size()) < f.size) {
    send_fetch_snapshot(quorum_.leader_id);
    return;
  }
  install_fetched_snapshot();
  send_fetch(quorum_.leader_id);
}

void Replica::install_fetched_snapshot() {
  SnapshotFetch f = std::move(*snapshot_fetch_);
  snapshot_fetch_.reset();
  // A snapshot holds committed records only, so one that does not reach past what we committed
  // tells us nothing new (and installing it would move the high watermark back).
  if (f.id.offset <= high_watermark_) return;
  Snapshot snapshot{f.id, std::make_shared<const std::vector<uint8_t>>(std::move(f.bytes))};
  // The voters the snapshot records replace the whole history: the log is replaced too. A
  // snapshot whose envelope does not read came from a broken leader; start over.
  auto contents = unwrap_snapshot(*snapshot.bytes);
  if (!contents) {
    next_fetch_ms_ = now_ms_ + config_.retry_backoff_ms;
    return;
  }
  log_.reset_to(f.id);
  reset_voters(contents->voters);
  voters_changed();
  // Whatever was on disk no longer extends the log, which now starts at the snapshot's end.
  durable_end_ = std::min(durable_end_, f.id.offset);
  for (auto& p : pending_) p.end_after = std::min(p.end_after, f.id.offset);
  snapshot_ = snapshot;
  newest_ = snapshot;
  issue(InstallSnapshot{snapshot});
  ready_.snapshot_installed = snapshot;
  set_high_watermark(f.id.offset);
}

}  // namespace runnel::raft
