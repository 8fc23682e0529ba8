#include <gtest/gtest.h>

#include "broker/group/consumer_group_reconcile.h"
#include "tests/unit/group_consumer/harness.h"

namespace runnel::group::testing {
namespace {

const Uuid kA = topic_id(1);

ConsumerMember at(int32_t epoch, Assignment assigned, MemberState state = MemberState::stable) {
  // Built with the id in place: g++ 12 at -O3 warns (-Wrestrict, a known false positive) on
  // assigning a short literal to the default-constructed string here.
  ConsumerMember m{.id = std::string(1, 'm')};
  m.member_epoch = epoch;
  m.previous_member_epoch = epoch - 1;
  m.state = state;
  m.assigned = std::move(assigned);
  return m;
}

HeldByOther nobody() {
  return [](const Uuid&, int32_t) { return false; };
}

TEST(Reconcile, StableAtTargetEpochIsUnchanged) {
  ConsumerMember m = at(3, parts(kA, {0, 1}));
  ConsumerMember n = reconcile(m, 3, parts(kA, {0}), std::nullopt, nobody());
  EXPECT_EQ(n.assigned, m.assigned);
  EXPECT_EQ(n.member_epoch, 3);
}

TEST(Reconcile, GainsFreePartitionsAndMovesToTheTargetEpoch) {
  ConsumerMember n = reconcile(at(3, parts(kA, {0})), 4, parts(kA, {0, 1, 2}), std::nullopt, nobody());
  EXPECT_EQ(n.state, MemberState::stable);
  EXPECT_EQ(n.member_epoch, 4);
  EXPECT_EQ(n.previous_member_epoch, 3);
  EXPECT_EQ(n.assigned, parts(kA, {0, 1, 2}));
}

TEST(Reconcile, RevokesFirstAndStaysInItsEpoch) {
  ConsumerMember m = at(3, parts(kA, {0, 1, 2}));
  // The target takes 2 away and adds 3: nothing new until 2 is revoked.
  ConsumerMember n = reconcile(m, 4, parts(kA, {0, 1, 3}), std::nullopt, nobody());
  EXPECT_EQ(n.state, MemberState::unrevoked_partitions);
  EXPECT_EQ(n.member_epoch, 3);
  EXPECT_EQ(n.assigned, parts(kA, {0, 1}));
  EXPECT_EQ(n.pending_revocation, parts(kA, {2}));
  // A heartbeat that still owns 2 (or says nothing) changes nothing.
  EXPECT_EQ(reconcile(n, 4, parts(kA, {0, 1, 3}), parts(kA, {0, 1, 2}), nobody()).state,
            MemberState::unrevoked_partitions);
  EXPECT_EQ(reconcile(n, 4, parts(kA, {0, 1, 3}), std::nullopt, nobody()).state, MemberState::unrevoked_partitions);
  // Once it owns only {0, 1}, it reaches the target epoch and gets 3.
  ConsumerMember done = reconcile(n, 4, parts(kA, {0, 1, 3}), parts(kA, {0, 1}), nobody());
  EXPECT_EQ(done.state, MemberState::stable);
  EXPECT_EQ(done.member_epoch, 4);
  EXPECT_EQ(done.assigned, parts(kA, {0, 1, 3}));
  EXPECT_TRUE(done.pending_revocation.empty());
}

TEST(Reconcile, WaitsForPartitionsOthersStillHold) {
  HeldByOther two_is_held = [](const Uuid&, int32_t p) { return p == 2; };
  ConsumerMember n = reconcile(at(3, parts(kA, {0})), 4, parts(kA, {0, 1, 2}), std::nullopt, two_is_held);
  EXPECT_EQ(n.state, MemberState::unreleased_partitions);
  EXPECT_EQ(n.member_epoch, 4);
  EXPECT_EQ(n.assigned, parts(kA, {0, 1}));
  // Released: the next heartbeat completes it.
  ConsumerMember done = reconcile(n, 4, parts(kA, {0, 1, 2}), std::nullopt, nobody());
  EXPECT_EQ(done.state, MemberState::stable);
  EXPECT_EQ(done.assigned, parts(kA, {0, 1, 2}));
}

TEST(Reconcile, AlreadyRevokedPartitionsNeedNoRevocationStep) {
  ConsumerMember n = reconcile(at(3, parts(kA, {0, 1})), 4, parts(kA, {0}), parts(kA, {0}), nobody());
  EXPECT_EQ(n.state, MemberState::stable);
  EXPECT_EQ(n.member_epoch, 4);
  EXPECT_EQ(n.assigned, parts(kA, {0}));
}

}  // namespace
}  // namespace runnel::group::testing
