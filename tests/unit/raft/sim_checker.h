#pragma once

// The invariants of the Raft simulation, each a named check run after every event:
//
//   election safety     at most one leader per epoch, ever (across crashes)
//   log matching        two logs with a record of the same offset and epoch hold the same prefix
//                       up to it (checked on every append, against every log that ever existed)
//   leader completeness a leader of epoch E holds every record committed in an epoch before E
//   state-machine safety a node's committed prefix (below its high watermark) is a prefix of the
//                       one committed history, and is never truncated
//   monotonic HW        a node's high watermark never goes back within one incarnation
//   commit notices      Ready::high_watermark reports every advance, in order, and the node's
//                       applied position (what the notices said) always equals its high watermark
//   state machines      every node's toy state machine (sim_state_machine.h) has the same state
//                       after applying the same offset
//   durable speech      what a message claims is on the sender's disk when it leaves: a granted
//                       vote's voted-for, a Fetch's offset and epoch, a leader's epoch
//   snapshots           a node trims its log only below its high watermark; a snapshot it
//                       installs or starts from is of committed records, and the state loaded
//                       from it equals every other node's state after the same offset
//
// Logs are followed through the persistence requests each replica issues (every change of its
// in-memory log issues one), as chains of prefix hashes, so each check costs O(1) per record. A
// node's chain always starts at offset 0: the part a snapshot replaced is the committed history's.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/raft/replica.h"

namespace runnel::raft::sim {

class Checker {
 public:
  explicit Checker(size_t nodes) : nodes_(nodes) {}

  void on_start(size_t node, const DurableState& durable);
  void on_persist(size_t node, const PersistRequest& request);
  void after_step(size_t node, const Replica& replica);
  // The owner of `node` was told the high watermark is now `high_watermark`.
  void on_commit_notice(size_t node, Offset high_watermark);
  // `node`'s state machine applied `offset` and is now in the state `fingerprint`.
  void on_applied(size_t node, Offset offset, uint64_t fingerprint);
  // A message leaves `node`, whose disk holds `disk` right now.
  void on_send(size_t node, const Envelope& envelope, const DurableState& disk);

  const std::optional<std::string>& violation() const { return violation_; }
  // Records a violation found outside the checker (the world's voter-set rule); the first one stays.
  void fail(std::string message);
  Offset committed_end() const { return Offset{static_cast<int64_t>(committed_.size())}; }
  size_t leaders_elected() const { return leaders_.size(); }
  LeaderEpoch max_epoch() const { return leaders_.empty() ? LeaderEpoch{0} : leaders_.rbegin()->first; }

 private:
  struct Shadow {
    std::vector<uint64_t> prefix_hash;  // hash of records [0, i] at index i
    int64_t high_watermark = 0;
    int64_t applied = 0;  // what the commit notices said, as a state machine would apply it
    LeaderEpoch leader_checked{0};  // the epoch whose leadership completeness was last checked
  };
  struct Committed {
    uint64_t prefix_hash;
    LeaderEpoch commit_epoch;  // epoch of the leader that committed it
  };

  void append(size_t node, const Entry& entry);
  // The node's log now continues a snapshot that ends at `end`.
  void start_after_snapshot(size_t node, Offset end);
  void check_leader(size_t node, const Replica& replica);
  void check_high_watermark(size_t node, const Replica& replica);

  std::vector<Shadow> nodes_;
  std::unordered_map<uint64_t, uint64_t> prefix_by_position_;  // (offset, epoch) -> prefix hash
  std::map<LeaderEpoch, NodeId> leaders_;
  std::vector<Committed> committed_;
  std::vector<uint64_t> state_after_;  // the state machine's fingerprint after each offset
  std::optional<std::string> violation_;
};

}  // namespace runnel::raft::sim
