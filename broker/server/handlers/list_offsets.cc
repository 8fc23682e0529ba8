// ListOffsets (API 2): each partition's offset for a timestamp, looked up on its owner core.
#include "broker/io/for_each.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/partition_handlers.h"

namespace runnel::server::handlers {

namespace {

using PartitionResponse = protocol::ListOffsetsResponse::ListOffsetsTopicResponse::ListOffsetsPartitionResponse;

struct Lookup {
  TopicPartition tp;
  int64_t timestamp;
  int32_t current_leader_epoch;
  PartitionResponse* out;
};

}  // namespace

io::Task<HandlerStatus> serve_list_offsets(PartitionEnv& env, RequestInfo& ctx, protocol::Reader& body,
                                           protocol::Writer& out) {
  protocol::ListOffsetsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;

  // Plan: every partition routed; the response is complete (and stable) before lookups fill it.
  protocol::ListOffsetsResponse resp;
  std::vector<Lookup> lookups;
  resp.topics.reserve(req.topics.size());
  for (const auto& t : req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    tr.partitions.reserve(t.partitions.size());
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p.partition_index;
      TopicPartition tp{t.name, PartitionId(p.partition_index)};
      if (Route route = env.router.route(*env.image, tp); route.error != ErrorCode::none) {
        pr.error_code = wire(route.error);
        continue;
      }
      if (p.timestamp == kMaxTimestamp && ctx.api_version < 7) {
        pr.error_code = wire(ErrorCode::unsupported_version);
        continue;
      }
      lookups.push_back(Lookup{std::move(tp), p.timestamp, p.current_leader_epoch, &pr});
    }
  }

  // Execute.
  co_await io::for_each(env.ring, lookups.size(), [&](size_t i) -> io::Task<void> {
    const Lookup& l = lookups[i];
    OffsetLookup r = co_await env.router.list_offset(l.tp, l.timestamp, l.current_leader_epoch);
    l.out->error_code = wire(r.error);
    if (r.error != ErrorCode::none) co_return;
    l.out->timestamp = r.timestamp;
    l.out->offset = r.offset;
    l.out->leader_epoch = r.leader_epoch;
  });

  // Assemble.
  for (const auto& t : resp.topics) note_errors(ctx, t.partitions);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
