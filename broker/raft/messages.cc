#include "broker/raft/messages.h"

namespace runnel::raft {

namespace {

// Appends only (GCC 12 warns falsely on `"literal" + std::string` under -O3 -Werror=restrict).
struct Line {
  std::string s;

  Line& add(std::string_view text) {
    s.append(text);
    return *this;
  }
  Line& num(int64_t n) { return add(std::to_string(n)); }
  Line& at(Offset offset, LeaderEpoch epoch) { return add("(").num(offset.value()).add(",").num(epoch.value()).add(")"); }
  Line& leader(NodeId id, LeaderEpoch epoch) { return add(" leader=").num(id.value()).add("@").num(epoch.value()); }
  Line& error(ErrorCode code) { return code == ErrorCode::none ? *this : add(" ").add(error_name(code)); }
};

struct Describe {
  std::string operator()(const VoteRequest& m) const {
    return Line{}
        .add(m.prevote ? "PreVote{e=" : "Vote{e=")
        .num(m.candidate_epoch.value())
        .add(" c=")
        .num(m.candidate_id.value())
        .add(" last=")
        .at(m.last_offset, m.last_offset_epoch)
        .add("}")
        .s;
  }
  std::string operator()(const VoteResponse& m) const {
    return Line{}
        .add(m.prevote ? "PreVoteResponse{" : "VoteResponse{")
        .add(m.vote_granted ? "granted" : "refused")
        .leader(m.leader_id, m.leader_epoch)
        .error(m.error)
        .add("}")
        .s;
  }
  std::string operator()(const BeginQuorumEpochRequest& m) const {
    return Line{}.add("BeginQuorumEpoch{").leader(m.leader_id, m.leader_epoch).add("}").s;
  }
  std::string operator()(const BeginQuorumEpochResponse& m) const {
    return Line{}.add("BeginQuorumEpochResponse{").leader(m.leader_id, m.leader_epoch).error(m.error).add("}").s;
  }
  std::string operator()(const EndQuorumEpochRequest& m) const {
    Line l;
    l.add("EndQuorumEpoch{").leader(m.leader_id, m.leader_epoch).add(" successors=");
    for (NodeId n : m.preferred_successors) l.num(n.value()).add(",");
    return l.add("}").s;
  }
  std::string operator()(const EndQuorumEpochResponse& m) const {
    return Line{}.add("EndQuorumEpochResponse{").leader(m.leader_id, m.leader_epoch).error(m.error).add("}").s;
  }
  std::string operator()(const FetchRequest& m) const {
    return Line{}
        .add("Fetch{e=")
        .num(m.current_leader_epoch.value())
        .add(" at=")
        .at(m.fetch_offset, m.last_fetched_epoch)
        .add("}")
        .s;
  }
  std::string operator()(const FetchResponse& m) const {
    Line l;
    l.add("FetchResponse{at=")
        .at(m.fetch_offset, m.last_fetched_epoch)
        .add(" hw=")
        .num(m.high_watermark.value())
        .leader(m.current_leader.leader_id, m.current_leader.leader_epoch)
        .add(" records=")
        .num(static_cast<int64_t>(m.records.size()));
    if (m.diverging_epoch) l.add(" diverging=").at(m.diverging_epoch->offset, m.diverging_epoch->epoch);
    if (m.snapshot_id) l.add(" snapshot=").at(m.snapshot_id->offset, m.snapshot_id->epoch);
    return l.error(m.error).add("}").s;
  }
  std::string operator()(const FetchSnapshotRequest& m) const {
    return Line{}
        .add("FetchSnapshot{e=")
        .num(m.current_leader_epoch.value())
        .add(" id=")
        .at(m.snapshot_id.offset, m.snapshot_id.epoch)
        .add(" pos=")
        .num(m.position)
        .add("}")
        .s;
  }
  std::string operator()(const FetchSnapshotResponse& m) const {
    return Line{}
        .add("FetchSnapshotResponse{id=")
        .at(m.snapshot_id.offset, m.snapshot_id.epoch)
        .add(" pos=")
        .num(m.position)
        .add(" bytes=")
        .num(static_cast<int64_t>(m.bytes.size()))
        .add("/")
        .num(m.size)
        .leader(m.current_leader.leader_id, m.current_leader.leader_epoch)
        .error(m.error)
        .add("}")
        .s;
  }
  std::string operator()(const AddVoterRequest& m) const {
    return Line{}.add("AddRaftVoter{").num(m.voter.id.value()).add("}").s;
  }
  std::string operator()(const RemoveVoterRequest& m) const {
    return Line{}.add("RemoveRaftVoter{").num(m.voter_id.value()).add("}").s;
  }
  std::string operator()(const UpdateVoterRequest& m) const {
    return Line{}.add("UpdateRaftVoter{e=").num(m.current_leader_epoch.value()).add(" v=").num(m.voter.id.value()).add("}").s;
  }
  std::string operator()(const VoterChangeResponse& m) const {
    return Line{}
        .add("VoterChangeResponse{api=")
        .num(m.api_key)
        .leader(m.current_leader.leader_id, m.current_leader.leader_epoch)
        .error(m.error)
        .add("}")
        .s;
  }
};

}  // namespace

std::string describe(const Message& message) { return std::visit(Describe{}, message); }

}  // namespace runnel::raft
