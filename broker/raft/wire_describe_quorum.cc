// DescribeQuorum (api key 55): what kafka-metadata-quorum.sh describe --status and --replication
// print. See wire.h.

#include "broker/raft/wire.h"
#include "broker/raft/wire_partition.h"

namespace runnel::raft::wire {
namespace {

using Wire = protocol::DescribeQuorumResponse;

int64_t to_wall(int64_t monotonic_ms, const Clocks& clocks) {
  return monotonic_ms < 0 ? -1 : monotonic_ms - clocks.monotonic_now_ms + clocks.wall_now_ms;
}

// Kafka reports the leader itself as fetched and caught up now (LeaderState.describeReplicaState),
// so the tool shows it with no lag.
std::vector<Wire::ReplicaState> replica_states(const std::vector<ReplicaDescription>& replicas, NodeId leader,
                                               const Clocks& clocks) {
  std::vector<Wire::ReplicaState> out;
  out.reserve(replicas.size());
  for (const ReplicaDescription& r : replicas) {
    Wire::ReplicaState s;
    s.replica_id = r.replica_id.value();
    s.replica_directory_id = r.directory_id;
    s.log_end_offset = r.log_end_offset.value();
    bool self = r.replica_id == leader;
    s.last_fetch_timestamp = self ? clocks.wall_now_ms : to_wall(r.last_fetch_timestamp, clocks);
    s.last_caught_up_timestamp = self ? clocks.wall_now_ms : to_wall(r.last_caught_up_timestamp, clocks);
    out.push_back(s);
  }
  return out;
}

}  // namespace

Result<void, WireError> check_describe_quorum(const protocol::DescribeQuorumRequest& m) {
  if (detail::metadata_partition(m.topics) == nullptr) return Unexpected(WireError::not_metadata_partition);
  return {};
}

protocol::DescribeQuorumResponse describe_quorum_response(const Result<QuorumDescription, ErrorCode>& description,
                                                          const Clocks& clocks) {
  Wire::TopicData::PartitionData p;
  if (!description) {
    p.error_code = runnel::wire(description.error());
    p.error_message = std::string(error_name(description.error()));
    p.leader_id = -1;
  } else {
    const QuorumDescription& d = *description;
    p.error_message = std::nullopt;
    p.leader_id = d.leader_id.value();
    p.leader_epoch = d.leader_epoch.value();
    p.high_watermark = d.high_watermark.value();
    p.current_voters = replica_states(d.current_voters, d.leader_id, clocks);
    p.observers = replica_states(d.observers, d.leader_id, clocks);
  }
  Wire out;
  out.error_message = std::nullopt;
  out.topics = detail::one_topic<Wire::TopicData>(std::move(p));
  return out;
}

}  // namespace runnel::raft::wire
