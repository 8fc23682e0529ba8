#pragma once

// Incremental reconciliation of one member towards its target assignment (Kafka's
// CurrentAssignmentBuilder). Cooperative by construction: a member is only given partitions that
// no other member still holds, and must first revoke what its target no longer has.
//
//   STABLE at the assignment epoch        -> nothing to do
//   anything to revoke that it still owns -> UNREVOKED_PARTITIONS, epoch unchanged, assigned
//                                           = current ∩ target (it keeps only those)
//   target partitions still held by other -> UNRELEASED_PARTITIONS at the target epoch, with the
//                                           free part of the target assigned
//   otherwise                             -> STABLE at the target epoch, assigned = target
//
// A member in UNREVOKED_PARTITIONS stays there until a heartbeat's owned partitions no longer
// contain any pending revocation (a heartbeat without owned partitions proves nothing).

#include <functional>
#include <optional>

#include "broker/group/consumer_group.h"

namespace runnel::group {

// true if the partition is held by a member other than the one being reconciled.
using HeldByOther = std::function<bool(const Uuid& topic, int32_t partition)>;

// Returns the member's next assignment state (only epochs, state, assigned and
// pending_revocation change). `owned` is what the heartbeat said the member owns, if it said.
ConsumerMember reconcile(const ConsumerMember& member, int32_t target_epoch, const Assignment& target,
                         const std::optional<Assignment>& owned, const HeldByOther& held_by_other);

}  // namespace runnel::group
