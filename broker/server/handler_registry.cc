#include "broker/server/handler_registry.h"

#include "broker/protocol/generated/api_keys.h"
#include "broker/server/handlers/handlers.h"

namespace runnel::server {

namespace {

using protocol::ApiKey;
constexpr int16_t key(ApiKey k) { return static_cast<int16_t>(k); }

// Minimum versions are Kafka 4.0's after KIP-896 removed the pre-2.1 protocol; maximums are
// the newest in our schemas. Sorted by key.
constexpr ApiHandler kHandlers[] = {
    {key(ApiKey::kProduce), 0, 11, 3, handlers::produce},
    {key(ApiKey::kFetch), 4, 17, 4, handlers::fetch},
    {key(ApiKey::kListOffsets), 1, 9, 1, handlers::list_offsets},
    {key(ApiKey::kMetadata), 0, 12, 0, handlers::metadata},
    {key(ApiKey::kOffsetCommit), 2, 9, 2, handlers::offset_commit},
    {key(ApiKey::kOffsetFetch), 1, 9, 1, handlers::offset_fetch},
    {key(ApiKey::kFindCoordinator), 0, 6, 0, handlers::find_coordinator},
    {key(ApiKey::kJoinGroup), 0, 9, 0, handlers::join_group},
    {key(ApiKey::kHeartbeat), 0, 4, 0, handlers::heartbeat},
    {key(ApiKey::kLeaveGroup), 0, 5, 0, handlers::leave_group},
    {key(ApiKey::kSyncGroup), 0, 5, 0, handlers::sync_group},
    {key(ApiKey::kDescribeGroups), 0, 5, 0, handlers::describe_groups},
    {key(ApiKey::kListGroups), 0, 5, 0, handlers::list_groups},
    {key(ApiKey::kApiVersions), 0, 4, 0, handlers::api_versions},
    {key(ApiKey::kCreateTopics), 2, 7, 2, handlers::create_topics},
    {key(ApiKey::kDeleteTopics), 1, 6, 1, handlers::delete_topics},
    {key(ApiKey::kInitProducerId), 0, 5, 0, handlers::init_producer_id},
    {key(ApiKey::kDescribeConfigs), 1, 4, 1, handlers::describe_configs},
    {key(ApiKey::kAlterConfigs), 0, 2, 0, handlers::alter_configs},
    {key(ApiKey::kCreatePartitions), 0, 3, 0, handlers::create_partitions},
    {key(ApiKey::kDeleteGroups), 0, 2, 0, handlers::delete_groups},
    {key(ApiKey::kIncrementalAlterConfigs), 0, 1, 0, handlers::incremental_alter_configs},
    {key(ApiKey::kOffsetDelete), 0, 0, 0, handlers::offset_delete},
    {key(ApiKey::kVote), 0, 1, 0, handlers::vote},
    {key(ApiKey::kBeginQuorumEpoch), 0, 1, 0, handlers::begin_quorum_epoch},
    {key(ApiKey::kEndQuorumEpoch), 0, 1, 0, handlers::end_quorum_epoch},
    {key(ApiKey::kDescribeQuorum), 0, 2, 0, handlers::describe_quorum},
    {key(ApiKey::kFetchSnapshot), 0, 1, 0, handlers::fetch_snapshot},
    {key(ApiKey::kAddRaftVoter), 0, 0, 0, handlers::add_raft_voter},
    {key(ApiKey::kRemoveRaftVoter), 0, 0, 0, handlers::remove_raft_voter},
    {key(ApiKey::kUpdateRaftVoter), 0, 0, 0, handlers::update_raft_voter},
    {key(ApiKey::kDescribeCluster), 0, 1, 0, handlers::describe_cluster},
    {key(ApiKey::kBrokerRegistration), 0, 4, 0, handlers::broker_registration},
    {key(ApiKey::kBrokerHeartbeat), 0, 1, 0, handlers::broker_heartbeat},
    {key(ApiKey::kUnregisterBroker), 0, 0, 0, handlers::unregister_broker},
    {key(ApiKey::kAllocateProducerIds), 0, 0, 0, handlers::allocate_producer_ids},
    {key(ApiKey::kConsumerGroupHeartbeat), 0, 1, 0, handlers::consumer_group_heartbeat},
    {key(ApiKey::kConsumerGroupDescribe), 0, 0, 0, handlers::consumer_group_describe},
};

}  // namespace

std::span<const ApiHandler> api_handlers() { return kHandlers; }

bool serves(ListenerRole role, int16_t api_key) {
  const protocol::ApiKeyInfo* info = protocol::find_api_key(api_key);
  if (info == nullptr) return false;
  switch (role) {
    case ListenerRole::any: return true;
    case ListenerRole::broker: return info->broker_listener;
    case ListenerRole::controller: return info->controller_listener;
  }
  return false;
}

const ApiHandler* find_handler(int16_t api_key) {
  for (const ApiHandler& h : kHandlers) {
    if (h.api_key == api_key) return &h;
  }
  return nullptr;
}

}  // namespace runnel::server
