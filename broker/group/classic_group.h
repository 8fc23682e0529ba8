#pragma once

// One classic-protocol group (Kafka's ClassicGroup): its members, generation, selected
// protocol and committed offsets. Plain data plus small queries; the transitions live in
// Coordinator, which owns every group of one core.
//
// States (Kafka's names, shown by DescribeGroups/ListGroups):
//   Empty               no members; may hold offsets
//   PreparingRebalance  waiting for every member to (re)join
//   CompletingRebalance joined; waiting for the leader's assignment in SyncGroup
//   Stable              assignment distributed; heartbeats keep members alive
//   Dead                removed (deleted, or offsets expired); never stored in the map

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "broker/group/environment.h"
#include "broker/model/error_code.h"

namespace runnel::group {

enum class GroupState : uint8_t { empty, preparing_rebalance, completing_rebalance, stable, dead };
const char* state_name(GroupState s);

struct Protocol {
  std::string name;
  std::vector<uint8_t> metadata;
  bool operator==(const Protocol&) const = default;
};

struct JoinMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<uint8_t> metadata;
};

struct JoinResult {
  ErrorCode error = ErrorCode::none;
  int32_t generation = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  bool skip_assignment = false;
  std::vector<JoinMember> members;  // only for the leader
};

struct SyncResult {
  ErrorCode error = ErrorCode::none;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<uint8_t> assignment;
};

using JoinCallback = std::function<void(JoinResult)>;
using SyncCallback = std::function<void(SyncResult)>;

struct Member {
  std::string id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<Protocol> protocols;
  std::vector<uint8_t> assignment;
  JoinCallback awaiting_join;
  SyncCallback awaiting_sync;
  Timers::Id heartbeat_timer = 0;
  bool is_new = false;  // joined during this rebalance (Kafka expires those on session timeout)

  const std::vector<uint8_t>* metadata_for(const std::string& protocol) const {
    for (const Protocol& p : protocols)
      if (p.name == protocol) return &p.metadata;
    return nullptr;
  }
};

struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int64_t commit_timestamp_ms = 0;
};

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

struct ClassicGroup {
  std::string id;
  int32_t offsets_partition = 0;
  GroupState state = GroupState::empty;
  int64_t state_timestamp_ms = 0;  // when the group entered its current state
  int32_t generation = 0;
  std::string protocol_type;           // empty: no member ever joined (offsets-only group)
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader;
  std::map<std::string, Member> members;  // ordered: stable iteration for responses and tests
  std::unordered_set<std::string> pending_members;  // KIP-394: id handed out, join not yet repeated
  std::unordered_map<std::string, Timers::Id> pending_timers;
  std::unordered_map<std::string, std::string> static_members;  // instance id -> member id
  Timers::Id join_timer = 0;
  // Members of the current generation whose SyncGroup has not arrived yet; when sync_timer (the
  // rebalance timeout) fires they are removed and the group rebalances (Kafka's pending sync).
  std::unordered_set<std::string> pending_sync;
  Timers::Id sync_timer = 0;
  bool initial_join = false;  // the group.initial.rebalance.delay.ms phase is running
  bool new_member_added = false;   // a member joined during the current initial delay
  int64_t initial_remaining_ms = 0;  // how much longer the initial delay may be extended
  std::map<TopicPartition, CommittedOffset> offsets;

  bool has_all_members_joined() const;
  // The protocol every member supports, the first of the leader's preference order that all list.
  std::optional<std::string> select_protocol() const;
  // Whether a joining member's protocols are compatible with the group's.
  bool supports(const std::string& type, const std::vector<Protocol>& protocols) const;
  // Topics the members subscribe to (ConsumerProtocol subscriptions), for OffsetDelete.
  std::unordered_set<std::string> subscribed_topics() const;
};

}  // namespace runnel::group
