// ConsumerGroupDescribe (API 69, KIP-848): each group described by its coordinator core, with
// every member's current and target assignment (topic names from this core's metadata).
#include "broker/protocol/generated/consumer_group_describe_request.h"
#include "broker/protocol/generated/consumer_group_describe_response.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

namespace {

protocol::ConsumerGroupDescribeResponse::Assignment describe_assignment(const group::Assignment& a,
                                                                         const cluster::MetadataImage& image) {
  protocol::ConsumerGroupDescribeResponse::Assignment out;
  for (const auto& [topic, partitions] : a) {
    const cluster::TopicInfo* t = image.topic_by_id(topic);
    if (t == nullptr) continue;  // deleted since: Kafka leaves such topics out too
    auto& tp = out.topic_partitions.emplace_back();
    tp.topic_id = topic;
    tp.topic_name = t->name;
    tp.partitions.assign(partitions.begin(), partitions.end());
  }
  return out;
}

}  // namespace

io::Task<HandlerStatus> consumer_group_describe(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::ConsumerGroupDescribeRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  protocol::ConsumerGroupDescribeResponse resp;
  cluster::ImagePtr image = ctx.shard.image();
  for (const std::string& id : req.group_ids) {
    Router router(ctx.shard);
    group::ConsumerGroupDescription d =
        co_await router.on_group(id, [&id](GroupService& groups) -> io::Task<group::ConsumerGroupDescription> {
          co_return groups.for_group(id).consumer_groups().describe(id);
        });
    auto& g = resp.groups.emplace_back();
    g.error_code = wire(d.error);
    g.error_message = d.error_message;
    if (d.error != ErrorCode::none) ctx.note_error(d.error);
    g.group_id = id;
    g.group_state = d.state;
    g.group_epoch = d.group_epoch;
    g.assignment_epoch = d.assignment_epoch;
    g.assignor_name = d.assignor;
    for (const auto& md : d.members) {
      auto& m = g.members.emplace_back();
      m.member_id = md.member.id;
      m.instance_id = md.member.instance_id;
      m.rack_id = md.member.rack_id;
      m.member_epoch = md.member.member_epoch;
      m.client_id = md.member.client_id;
      m.client_host = md.member.client_host;
      m.subscribed_topic_names = md.subscribed_topic_names;
      m.subscribed_topic_regex = md.member.subscribed_topic_regex;
      m.assignment = describe_assignment(md.member.assigned, *image);
      m.target_assignment = describe_assignment(md.target, *image);
    }
  }
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
