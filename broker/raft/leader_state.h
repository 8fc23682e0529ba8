#pragma once

// What a leader knows about the replicas in its epoch (Kafka's LeaderState): each voter's and
// observer's acknowledged log end offset, when it last fetched, whether it has heard of the new
// epoch, and the follower fetches parked until there is something to send.
//
// The high watermark rule lives here. A replica's offset counts only once it fetched in this
// epoch with a position the leader validated, and a follower's fetch offset is durable on that
// follower (it never sends a fetch before its appends are flushed). The leader counts itself with
// its durable end offset. The high watermark is the largest offset that a majority of voters hold
// durably, and it only moves once that offset is past the start of this epoch: committing the
// LeaderChange record of the epoch is what commits every older record (Raft's rule that a leader
// only commits entries of its own term by counting).

#include <cstdint>
#include <optional>
#include <vector>

#include "broker/model/named_type.h"
#include "broker/raft/messages.h"

namespace runnel::raft {

struct ReplicaProgress {
  NodeId id{-1};
  bool voter = false;
  Offset end_offset{-1};          // -1: has not fetched validly in this epoch
  int64_t last_fetch_ms = -1;     // last valid fetch
  int64_t last_caught_up_ms = -1;  // last fetch at the leader's end offset
  bool knows_epoch = false;       // acknowledged BeginQuorumEpoch or fetched in this epoch
  int64_t begin_sent_ms = -1;
  Offset high_watermark_sent{-1};  // the highest high watermark an answer to it carried
};

struct ParkedFetch {
  NodeId replica{-1};
  FetchRequest request;
  int64_t deadline_ms = 0;
};

class LeaderState {
 public:
  LeaderState(NodeId self, const std::vector<NodeId>& voters, LeaderEpoch epoch, Offset epoch_start_offset,
              int64_t now_ms, int64_t check_quorum_timeout_ms);

  LeaderEpoch epoch() const { return epoch_; }
  Offset epoch_start_offset() const { return epoch_start_offset_; }

  // A fetch whose position the leader validated: `fetch_offset` is durable on that replica.
  void on_valid_fetch(NodeId replica, Offset fetch_offset, Offset leader_end_offset, int64_t now_ms);
  // A FetchSnapshot from a replica in this epoch: it is alive (check-quorum) and knows the epoch,
  // but acknowledges no offset until it fetches records again.
  void on_snapshot_fetch(NodeId replica, int64_t now_ms);
  void on_begin_acknowledged(NodeId voter);
  // The voter set changed (a VotersRecord appended or truncated away): who counts from now on.
  // The leader itself may be outside it (it removed itself and leads until that commits).
  void set_voters(const std::vector<NodeId>& voters);
  // Whether `replica` fetched at the leader's end offset within `window_ms` (AddRaftVoter's
  // "caught up" rule).
  bool caught_up(NodeId replica, int64_t now_ms, int64_t window_ms) const;
  void set_local_end_offset(Offset durable_end, int64_t now_ms);

  // The offset a majority of voters hold, if it commits a record of this epoch.
  std::optional<Offset> majority_end_offset() const;

  // Check-quorum: true once a majority of voters (this leader included) has not fetched within
  // the check-quorum timeout, so that a leader cut off from the quorum steps down on its own.
  bool check_quorum_lost(int64_t now_ms) const;

  // Voters that have not acknowledged the epoch and were last told more than `resend_ms` ago.
  std::vector<NodeId> voters_to_tell(int64_t now_ms, int64_t resend_ms);

  // The other voters, longest log first (EndQuorumEpoch's preferred successors).
  std::vector<NodeId> preferred_successors() const;

  const std::vector<ReplicaProgress>& replicas() const { return replicas_; }
  std::vector<ParkedFetch>& parked() { return parked_; }
  // The high watermark `replica` was last told (-1: never), and a new answer carrying `hw`.
  Offset high_watermark_sent(NodeId replica) const {
    for (const auto& r : replicas_) {
      if (r.id == replica) return r.high_watermark_sent;
    }
    return Offset{-1};
  }
  void on_high_watermark_sent(NodeId replica, Offset hw) {
    ReplicaProgress& r = progress(replica);
    if (hw > r.high_watermark_sent) r.high_watermark_sent = hw;
  }

 private:
  ReplicaProgress& progress(NodeId id);

  NodeId self_;
  LeaderEpoch epoch_;
  Offset epoch_start_offset_;
  int64_t since_ms_;
  int64_t check_quorum_timeout_ms_;
  std::vector<ReplicaProgress> replicas_;  // voters first, then observers as they appear
  std::vector<ParkedFetch> parked_;
};

}  // namespace runnel::raft
