// The leader's side of replication: answering fetches, parking the ones that find nothing new,
// and advancing the high watermark from the voters' acknowledged offsets.

#include <algorithm>

#include "broker/model/assert.h"
#include "broker/raft/replica.h"

namespace runnel::raft {

FetchResponse Replica::fetch_response(const FetchRequest& request, const FetchPosition& position) const {
  FetchResponse response{
      .high_watermark = high_watermark_,
      .log_start_offset = log_.start_offset(),
      .current_leader = current_leader(),
      .fetch_offset = request.fetch_offset,
      .last_fetched_epoch = request.last_fetched_epoch,
  };
  switch (position.kind) {
    case FetchPosition::Kind::diverging:
      response.diverging_epoch = position.at;
      break;
    case FetchPosition::Kind::snapshot:
      response.snapshot_id = position.at;
      break;
    case FetchPosition::Kind::valid: {
      auto records = log_.read(request.fetch_offset, static_cast<size_t>(config_.fetch_max_entries));
      response.records.assign(records.begin(), records.end());
      break;
    }
  }
  return response;
}

ErrorCode Replica::fetcher_error(NodeId from, const std::string& cluster_id, NodeId replica_id,
                                 LeaderEpoch epoch) const {
  if (cluster_id != config_.cluster_id) return ErrorCode::inconsistent_cluster_id;
  if (replica_id != from) return ErrorCode::invalid_request;
  if (ErrorCode e = epoch_error(epoch); e != ErrorCode::none) return e;
  if (role_ != Role::leader) return ErrorCode::not_leader_or_follower;
  return ErrorCode::none;
}

void Replica::on_fetch_request(NodeId from, const FetchRequest& request) {
  FetchResponse refusal{.high_watermark = high_watermark_,
                        .log_start_offset = log_.start_offset(),
                        .current_leader = current_leader(),
                        .fetch_offset = request.fetch_offset,
                        .last_fetched_epoch = request.last_fetched_epoch};
  refusal.error = fetcher_error(from, request.cluster_id, request.replica_id, request.current_leader_epoch);
  if (refusal.error != ErrorCode::none) {
    send(from, refusal);
    return;
  }
  FetchPosition position = log_.validate_fetch(request.fetch_offset, request.last_fetched_epoch);
  Offset high_watermark_before = high_watermark_;
  if (position.kind == FetchPosition::Kind::valid) {
    // Only a validated position counts: the fetcher's log up to fetch_offset is then a prefix of
    // ours, and it is durable there (the fetcher flushes before it fetches again).
    leader_->on_valid_fetch(from, request.fetch_offset, log_.end_offset(), now_ms_);
    update_high_watermark();
  }
  auto& parked = leader_->parked();
  std::erase_if(parked, [&](const ParkedFetch& p) { return p.replica == from; });  // superseded
  // Nothing to send unless this very fetch moved the high watermark, or the fetcher has not been
  // told the current one yet (it moved while the fetcher's answer was on its way: parking would
  // keep the fetcher, and the brokers that learn metadata from it, a whole max wait behind; Kafka
  // fixed the same delay in KAFKA-14145).
  const bool fetcher_knows_hw = leader_->high_watermark_sent(from) >= high_watermark_;
  bool nothing_new = position.kind == FetchPosition::Kind::valid && request.fetch_offset == log_.end_offset() &&
                     high_watermark_ == high_watermark_before && fetcher_knows_hw;
  if (nothing_new && request.max_wait_ms > 0) {
    int64_t wait = std::min(request.max_wait_ms, config_.fetch_max_wait_ms);
    parked.push_back({from, request, now_ms_ + wait});
    return;
  }
  send_records(from, fetch_response(request, position));
}

void Replica::answer_parked_fetches(bool expired_only) {
  if (!leader_) return;
  auto& parked = leader_->parked();
  std::erase_if(parked, [&](const ParkedFetch& p) {
    if (expired_only && now_ms_ < p.deadline_ms) return false;
    // A parked position stays valid: the leader's log only grows within its epoch.
    send_records(p.replica, fetch_response(p.request, FetchPosition{}));
    return true;
  });
}

void Replica::update_high_watermark() {
  if (!leader_) return;
  Offset own = config_.bugs.leader_counts_unflushed ? log_.end_offset() : durable_end_;
  leader_->set_local_end_offset(own, now_ms_);
  std::optional<Offset> majority = leader_->majority_end_offset();
  if (!majority || *majority <= high_watermark_) return;
  set_high_watermark(*majority);
  answer_parked_fetches(/*expired_only=*/false);  // followers learn the new high watermark
  settle_voter_change();
}

}  // namespace runnel::raft
