// OffsetCommit (API 8). Partitions of topics that do not exist are refused here with
// UNKNOWN_TOPIC_OR_PARTITION (as Kafka's request handler does); the rest go to the group's
// coordinator core, which answers once the offsets are durable.
#include "broker/protocol/generated/offset_commit_request.h"
#include "broker/protocol/generated/offset_commit_response.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> offset_commit(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::OffsetCommitRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  cluster::ImagePtr image = ctx.shard.image();
  protocol::OffsetCommitResponse resp;
  group::OffsetCommitRequest cr;
  cr.group_id = req.group_id;
  cr.generation = req.generation_id_or_member_epoch;
  cr.member_id = req.member_id;
  cr.instance_id = req.group_instance_id;
  cr.api_version = ctx.api_version;
  std::vector<int16_t*> slots;  // where each forwarded partition's answer goes
  for (const auto& t : req.topics) {
    auto& rt = resp.topics.emplace_back();
    rt.name = t.name;
    const cluster::TopicInfo* info = image->topic(t.name);
    for (const auto& p : t.partitions) {
      auto& rp = rt.partitions.emplace_back();
      rp.partition_index = p.partition_index;
      if (info == nullptr || !info->has_partition(p.partition_index)) {
        rp.error_code = wire(ErrorCode::unknown_topic_or_partition);
        continue;
      }
      cr.partitions.push_back(group::OffsetCommitPartition{group::TopicPartition{t.name, p.partition_index},
                                                           p.committed_offset, p.committed_leader_epoch,
                                                           p.committed_metadata});
    }
  }
  // Pointers into resp are taken after every emplace_back, so they stay valid.
  for (auto& rt : resp.topics)
    for (auto& rp : rt.partitions)
      if (rp.error_code == 0) slots.push_back(&rp.error_code);
  if (!cr.partitions.empty() || resp.topics.empty()) {
    Router router(ctx.shard);
    std::vector<ErrorCode> errors = co_await router.on_group(cr.group_id, [&cr](GroupService& groups) -> io::Task<std::vector<ErrorCode>> {
      co_return co_await groups.commit(std::move(cr));
    });
    for (size_t i = 0; i < slots.size() && i < errors.size(); ++i) *slots[i] = wire(errors[i]);
  }
  for (auto& rt : resp.topics)
    for (auto& rp : rt.partitions)
      if (rp.error_code != 0) ctx.note_error(static_cast<ErrorCode>(rp.error_code));
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
