#pragma once

// The controller's invariants in the simulation, on top of the Raft checker's (election safety,
// log matching, leader completeness, state-machine safety of the log). Each is a named check
// that runs whenever a node applies committed records or a controller answers:
//
//   clean replay          every committed record decodes and the replay rules accept it: the
//                         active controller decided it on the image it extends
//   image safety          at the same applied offset every node's metadata::Image is equal
//   snapshot round trip   the image equals the decode of its own snapshot
//   image invariants      names and ids unique and consistent; ISR within the replicas; the
//                         leader in the ISR, and (after a whole batch) an unfenced registered
//                         broker, or none
//   monotonic epochs      per node, across successive images: leader and partition epochs per
//                         partition, broker epochs per broker (a new incarnation's is larger),
//                         the next producer id
//   acknowledged history  a create answered success is in every image applied past its batch
//                         until a delete of that topic is proposed; no two acknowledged creates
//                         of one name without such a delete between; a delete, config change,
//                         registration or producer-id block answered success is in the image
//                         the answer came from; producer-id blocks never overlap
//   refusals leave none   a refused decision proposes nothing, and the topic id it drew never
//                         appears

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/metadata/image.h"
#include "broker/metadata/log_replay.h"
#include "broker/raft/entry.h"
#include "requests.h"

namespace runnel::controller_sim {

class ControllerChecker {
 public:
  explicit ControllerChecker(size_t nodes) : nodes_(nodes) {}

  // The node starts from the empty image again (crash, restart).
  void on_start(size_t node);
  // The node applied [from, replay.applied) and now holds `image`; `last` is the last entry
  // applied (its offset and epoch).
  void on_replay(size_t node, Offset from, const metadata::Replay& replay, const metadata::Image& image,
                 raft::OffsetAndEpoch last);
  // A LeaderChange record follows `last`, committed: the batch `last` is in should end there.
  // When it does not, a decision committed in part (a known bug, README.md): counted, not failed.
  void on_batch_boundary(size_t node, raft::OffsetAndEpoch last);
  uint64_t cut_batches() const { return cut_batches_.size(); }
  // The active controller proposed these records as one batch, ending at `last`.
  void on_proposed(const std::vector<metadata::Record>& records, raft::OffsetAndEpoch last);
  // A decision refused `request`; it drew `drawn` topic ids and returned `records`.
  void on_refused(const Request& request, const std::vector<Uuid>& drawn, const std::vector<metadata::Record>& records);
  // `node` answers `request` with success: its batch ended at `last` and `image` is applied.
  void on_acknowledged(size_t node, const Request& request, const Reply& reply, Offset last,
                       const metadata::Image& image);

  void fail(std::string message);
  const std::optional<std::string>& violation() const { return violation_; }
  uint64_t acknowledged() const { return acknowledged_; }
  uint64_t images_checked() const { return images_checked_; }
  // Images applied up to the middle of a decision's batch (see README.md, "What it found").
  uint64_t images_inside_a_batch() const { return images_inside_a_batch_; }

 private:
  struct PerNode {
    std::map<std::pair<Uuid, int32_t>, std::pair<LeaderEpoch, metadata::PartitionEpoch>> partition_epochs;
    std::map<NodeId, std::pair<Uuid, metadata::BrokerEpoch>> brokers;
    int64_t next_producer_id = 0;
  };
  struct AckedTopic {
    std::string name;
    Uuid id;
    Offset last{0};
  };

  void check_image(size_t node, const metadata::Image& image, bool whole_batches);
  void check_monotonic(size_t node, const metadata::Image& image);
  void check_history(size_t node, Offset applied, const metadata::Image& image);

  std::vector<PerNode> nodes_;
  std::unordered_map<int64_t, metadata::Image> image_at_;  // the image at each applied offset
  std::vector<AckedTopic> acked_topics_;
  std::set<Uuid> removal_proposed_;
  std::set<std::pair<int64_t, int32_t>> batch_ends_;  // (offset, epoch) of each proposal's last record
  std::set<Uuid> refused_ids_;
  std::vector<metadata::ProducerIdBlock> blocks_;
  std::optional<std::string> violation_;
  uint64_t acknowledged_ = 0;
  uint64_t images_checked_ = 0;
  uint64_t images_inside_a_batch_ = 0;
  std::set<std::pair<int64_t, int32_t>> cut_batches_;
};

}  // namespace runnel::controller_sim
