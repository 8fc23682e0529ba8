#pragma once

#include "broker/server/request_context.h"

// One function per Kafka API, each in its own file in this folder.
namespace runnel::server::handlers {

io::Task<HandlerStatus> api_versions(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> metadata(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> produce(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> fetch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> list_offsets(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> create_topics(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> delete_topics(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> create_partitions(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> describe_configs(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> alter_configs(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> incremental_alter_configs(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> describe_cluster(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
// The metadata quorum's KRaft RPCs (quorum_rpcs.cc).
io::Task<HandlerStatus> vote(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> begin_quorum_epoch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> end_quorum_epoch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> describe_quorum(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
// Voter changes of a dynamic quorum (raft_voter_rpcs.cc).
io::Task<HandlerStatus> add_raft_voter(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> remove_raft_voter(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> update_raft_voter(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> fetch_snapshot(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
// Brokers joining and staying in the cluster, answered by the active controller (broker_lifecycle_rpcs.cc).
io::Task<HandlerStatus> broker_registration(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> broker_heartbeat(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> unregister_broker(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> allocate_producer_ids(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> init_producer_id(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);

io::Task<HandlerStatus> find_coordinator(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> join_group(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> sync_group(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> heartbeat(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> leave_group(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> offset_commit(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> offset_fetch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> describe_groups(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> list_groups(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> delete_groups(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> consumer_group_heartbeat(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> consumer_group_describe(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> offset_delete(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out);

}  // namespace runnel::server::handlers
