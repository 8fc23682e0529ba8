#include "broker/group/consumer_group_reconcile.h"

namespace runnel::group {

namespace {

// Whether the member may still hold any of `revoking`; without an owned list, assume it does.
bool still_owns(const Assignment& revoking, const std::optional<Assignment>& owned) {
  if (!owned) return true;
  for (const auto& [t, ps] : revoking)
    for (int32_t p : ps)
      if (contains(*owned, t, p)) return true;
  return false;
}

void set_epoch(ConsumerMember& m, int32_t epoch) {
  if (m.member_epoch == epoch) return;
  m.previous_member_epoch = m.member_epoch;
  m.member_epoch = epoch;
}

// Kafka's computeNextAssignment: moves `from` (what the member has) towards `target`.
ConsumerMember next_assignment(const ConsumerMember& member, const Assignment& from, int32_t target_epoch,
                               const Assignment& target, const std::optional<Assignment>& owned,
                               const HeldByOther& held_by_other) {
  Assignment keep, revoke, gain;
  bool unreleased = false;
  for (const auto& [t, ps] : from) {
    for (int32_t p : ps) {
      if (contains(target, t, p)) {
        keep[t].insert(p);
      } else {
        revoke[t].insert(p);
      }
    }
  }
  for (const auto& [t, ps] : target) {
    for (int32_t p : ps) {
      if (contains(from, t, p)) continue;
      if (held_by_other(t, p)) {
        unreleased = true;
      } else {
        gain[t].insert(p);
      }
    }
  }
  ConsumerMember next = member;
  if (!revoke.empty() && still_owns(revoke, owned)) {
    // Revocation first: the member stays in its epoch and gets nothing new until it has let go.
    next.state = MemberState::unrevoked_partitions;
    next.assigned = std::move(keep);
    next.pending_revocation = std::move(revoke);
    return next;
  }
  for (auto& [t, ps] : gain) keep[t].insert(ps.begin(), ps.end());
  next.assigned = std::move(keep);
  next.pending_revocation.clear();
  next.state = unreleased ? MemberState::unreleased_partitions : MemberState::stable;
  set_epoch(next, target_epoch);
  return next;
}

}  // namespace

ConsumerMember reconcile(const ConsumerMember& member, int32_t target_epoch, const Assignment& target,
                         const std::optional<Assignment>& owned, const HeldByOther& held_by_other) {
  switch (member.state) {
    case MemberState::stable:
      if (member.member_epoch == target_epoch) return member;
      return next_assignment(member, member.assigned, target_epoch, target, owned, held_by_other);
    case MemberState::unrevoked_partitions:
      if (still_owns(member.pending_revocation, owned)) return member;
      return next_assignment(member, member.assigned, target_epoch, target, owned, held_by_other);
    case MemberState::unreleased_partitions:
      return next_assignment(member, member.assigned, target_epoch, target, owned, held_by_other);
  }
  return member;
}

}  // namespace runnel::group
