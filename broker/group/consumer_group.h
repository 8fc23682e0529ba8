#pragma once

// One group of the consumer group protocol (KIP-848, Kafka's ConsumerGroup): members with their
// subscriptions and current assignment, the group's target assignment and its two epochs.
// Plain data plus queries; transitions live in ConsumerGroupCoordinator.
//
// Epochs: the group epoch counts changes of membership, subscriptions and subscribed topic
// metadata; the assignment epoch is the group epoch the target assignment was computed for; a
// member's epoch reaches the assignment epoch once it has reconciled towards its target.
//
// Ownership invariant: a partition is held (assigned or pending revocation) by at most one member
// at a time; `owners` indexes that and is what keeps a member from being given a partition that
// another still has to revoke.
//
// States (Kafka's names): empty (no members), assigning (group epoch > assignment epoch),
// reconciling (some member not yet at the assignment epoch or not stable), stable.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/group/assignor_types.h"
#include "broker/group/consumer_group_topics.h"
#include "broker/group/environment.h"

namespace runnel::group {

enum class MemberState : int8_t { stable = 0, unrevoked_partitions = 1, unreleased_partitions = 2 };
const char* member_state_name(MemberState s);

enum class ConsumerGroupState : uint8_t { empty, assigning, reconciling, stable, dead };
const char* consumer_group_state_name(ConsumerGroupState s);

inline constexpr int32_t kLeaveGroupMemberEpoch = -1;
inline constexpr int32_t kLeaveGroupStaticMemberEpoch = -2;

struct ConsumerMember {
  std::string id;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::string client_id;
  std::string client_host;
  std::vector<std::string> subscribed_topic_names;  // sorted, unique
  std::optional<std::string> subscribed_topic_regex;
  std::optional<std::string> server_assignor;
  int32_t rebalance_timeout_ms = 0;
  int32_t member_epoch = 0;
  int32_t previous_member_epoch = 0;
  MemberState state = MemberState::stable;
  Assignment assigned;
  Assignment pending_revocation;
  // Not persisted.
  Timers::Id session_timer = 0;
  Timers::Id rebalance_timer = 0;
};

// What the group's subscribed topics looked like when the group epoch last moved; a difference
// (topic created, deleted, recreated or grown) bumps the epoch and recomputes the target.
using SubscribedMetadata = std::map<std::string, TopicMeta>;

struct ConsumerGroup {
  std::string id;
  int32_t offsets_partition = 0;
  int32_t group_epoch = 0;
  int32_t assignment_epoch = 0;
  std::map<std::string, ConsumerMember> members;
  std::map<std::string, Assignment> target;
  std::map<std::string, std::string> static_members;  // instance id -> member id
  SubscribedMetadata subscribed_metadata;
  std::map<std::pair<Uuid, int32_t>, std::string> owners;  // partition -> member holding it
  // Regular expressions resolved against the catalog of `resolved_version`.
  std::map<std::string, std::vector<std::string>> resolved_regexes;
  int64_t resolved_version = -1;

  ConsumerGroupState state() const;
  ConsumerMember* member(const std::string& id);
  // The member holding a partition, or nullptr.
  const std::string* owner(const Uuid& topic, int32_t partition) const;
  void add_ownership(const ConsumerMember& m);
  void remove_ownership(const ConsumerMember& m);
  // The assignor most members ask for (ties: the smaller name), else `fallback`.
  std::string preferred_assignor(const std::string& fallback) const;
  // Topic names a member subscribes to: its names plus what its regex resolved to.
  std::vector<std::string> member_topics(const ConsumerMember& m) const;
  // The union over all members, with the metadata of those that exist in `topics`.
  SubscribedMetadata compute_subscribed_metadata(const TopicCatalog& topics) const;
};

}  // namespace runnel::group
