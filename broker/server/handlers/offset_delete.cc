// OffsetDelete (API 47): removes committed offsets of a group, except for topics a live
// consumer group still subscribes to (GROUP_SUBSCRIBED_TO_TOPIC).
#include "broker/protocol/generated/offset_delete_request.h"
#include "broker/protocol/generated/offset_delete_response.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

io::Task<HandlerStatus> offset_delete(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::OffsetDeleteRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  cluster::ImagePtr image = ctx.shard.image();
  protocol::OffsetDeleteResponse resp;
  std::vector<group::TopicPartition> tps;
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
      tps.push_back(group::TopicPartition{t.name, p.partition_index});
    }
  }
  Router router(ctx.shard);
  using R = std::pair<ErrorCode, std::vector<ErrorCode>>;
  R r = co_await router.on_group(req.group_id, [&req, &tps](GroupService& groups) -> io::Task<R> {
    co_return co_await groups.delete_offsets(req.group_id, std::move(tps));
  });
  if (r.first != ErrorCode::none) {
    resp.error_code = wire(r.first);
    resp.topics.clear();
    ctx.note_error(r.first);
  } else {
    size_t i = 0;
    for (auto& rt : resp.topics)
      for (auto& rp : rt.partitions)
        if (rp.error_code == 0 && i < r.second.size()) rp.error_code = wire(r.second[i++]);
  }
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
