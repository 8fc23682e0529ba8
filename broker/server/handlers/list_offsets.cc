#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

namespace {

using PartitionResponse = protocol::ListOffsetsResponse::ListOffsetsTopicResponse::ListOffsetsPartitionResponse;

// Kafka's special timestamps in ListOffsets.
constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int64_t kMaxTimestamp = -3;
constexpr int64_t kEarliestLocal = -4;

struct Lookup {
  TopicPartition tp;
  int64_t timestamp;
  int32_t current_leader_epoch;
  PartitionResponse* out;
};

// Answers one lookup on the partition's owner core.
io::Task<PartitionResponse> lookup_here(cluster::Partition& p, const Lookup& l) {
  PartitionResponse r;
  r.partition_index = l.tp.partition.value();
  if (l.current_leader_epoch >= 0 && l.current_leader_epoch != p.leader_epoch()) {
    r.error_code = wire(l.current_leader_epoch > p.leader_epoch() ? ErrorCode::unknown_leader_epoch
                                                                  : ErrorCode::fenced_leader_epoch);
    co_return r;
  }
  r.leader_epoch = p.leader_epoch();
  storage::PartitionLog& log = p.log();
  switch (l.timestamp) {
    case kLatest:
      r.offset = p.high_watermark().value();
      break;
    case kEarliest:
    case kEarliestLocal:
      r.offset = log.log_start_offset().value();
      break;
    case kMaxTimestamp: {
      auto found = co_await log.max_timestamp_record();
      if (found) {
        r.timestamp = found->timestamp;
        r.offset = found->offset.value();
      }
      break;
    }
    default: {
      if (l.timestamp < 0) {
        // Unknown special value (e.g. tiered-storage specific ones): nothing to report.
        break;
      }
      auto found = co_await log.offset_for_timestamp(l.timestamp);
      if (found) {
        r.timestamp = found->timestamp;
        r.offset = found->offset.value();
      } else {
        r.leader_epoch = -1;
      }
    }
  }
  co_return r;
}

}  // namespace

io::Task<HandlerStatus> list_offsets(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::ListOffsetsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Router router(ctx.shard);
  cluster::ImagePtr image = ctx.shard.image();

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
      if (Router::Route route = router.route(*image, tp); route.error != ErrorCode::none) {
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
  co_await router.for_each(lookups.size(), [&](size_t i) -> io::Task<void> {
    const Lookup& l = lookups[i];
    *l.out = co_await router.on_partition(
        l.tp, [&l](Shard&, cluster::Partition& p) { return lookup_here(p, l); },
        [&l](ErrorCode e) {
          PartitionResponse r;
          r.partition_index = l.tp.partition.value();
          r.error_code = wire(e);
          return r;
        });
  });
  for (const auto& t : resp.topics) note_errors(ctx, t.partitions);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
