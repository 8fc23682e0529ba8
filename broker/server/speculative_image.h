#pragma once

// The image a pipelining controller decides on (quorum_controller.h): the committed image plus
// the records this leader has proposed in its epoch and not yet seen applied. Kafka's
// QuorumController keeps the same ("the controller's in-memory state includes uncommitted
// records"), so that a decision need not wait for the previous one's commit to see its effect.
//
// It is valid only while it holds proposals of the current epoch past what the applier has
// applied: once they are all applied, the committed image is the same thing; when the epoch
// changes (leadership lost), what this leader proposed may be truncated, so it is dropped and
// decisions go back to the committed image of the next epoch this node leads.
//
// The records are applied with the applier's own ImageBuilder rules, on the same image and in
// the same order as the log will hold them (only the leader proposes in its epoch), so a
// record the replay refuses is refused here too and both images agree once committed.

#include <vector>

#include "broker/metadata/image.h"
#include "broker/metadata/entry_codec.h"
#include "broker/metadata/image_builder.h"
#include "broker/metadata/records.h"
#include "broker/model/assert.h"
#include "broker/model/named_type.h"
#include "broker/raft/entry.h"

namespace runnel::server {

class SpeculativeImage {
 public:
  // Whether proposals of `epoch` at offsets >= `applied` (the next offset the applier takes) are
  // held.
  bool holds(LeaderEpoch epoch, Offset applied) const { return epoch_ == epoch && applied <= last_; }

  // The image to decide on in `epoch`, given the committed image applied up to `applied`.
  const metadata::Image& decide_on(const metadata::Image& committed, LeaderEpoch epoch, Offset applied) const {
    return holds(epoch, applied) ? image_ : committed;
  }

  // `records`, one decision just proposed in `epoch` as the one entry at `at`
  // (metadata/entry_codec.h), applied onto `base` (what decide_on returned for the decision that
  // made them).
  void add(const metadata::Image& base, const std::vector<metadata::Record>& records, raft::OffsetRange at,
           LeaderEpoch epoch) {
    RUNNEL_ASSERT(at.first == at.last, "%zu records proposed at offsets %lld..%lld, not as one entry", records.size(),
                  static_cast<long long>(at.first.value()), static_cast<long long>(at.last.value()));
    RUNNEL_ASSERT(epoch_ != epoch || at.first > last_, "proposals out of order: %lld after %lld",
                  static_cast<long long>(at.first.value()), static_cast<long long>(last_.value()));
    metadata::ImageBuilder builder(base);
    // A refusal leaves the image as the replay will (it logs the same refusal when applying).
    (void)metadata::apply_entry(builder, records, at.first);
    image_ = builder.build();
    epoch_ = epoch;
    last_ = at.last;
  }

 private:
  metadata::Image image_;
  LeaderEpoch epoch_{-1};
  Offset last_{-1};
};

}  // namespace runnel::server
