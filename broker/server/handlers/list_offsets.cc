#include "broker/io/wait_group.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/server/broker.h"
#include "broker/server/cross_call.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

using PartitionResponse = protocol::ListOffsetsResponse::ListOffsetsTopicResponse::ListOffsetsPartitionResponse;

// Kafka's special timestamps in ListOffsets.
constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int64_t kMaxTimestamp = -3;
constexpr int64_t kEarliestLocal = -4;

struct Lookup {
  std::string topic;
  int32_t partition;
  int64_t timestamp;
  int32_t current_leader_epoch;
  PartitionResponse* out;
};

io::Task<void> lookup(Shard& shard, Lookup& l, io::WaitGroup& wg) {
  Broker& broker = shard.broker();
  Shard& owner = broker.shard(broker.owner_of(l.topic, l.partition));
  PartitionResponse r = co_await on(shard.ring(), owner.ring(), [&owner, &l]() -> io::Task<PartitionResponse> {
    PartitionResponse r;
    r.partition_index = l.partition;
    cluster::Partition* p = owner.partition(l.topic, l.partition);
    if (p == nullptr) {
      r.error_code = wire(ErrorCode::not_leader_or_follower);
      co_return r;
    }
    if (l.current_leader_epoch >= 0 && l.current_leader_epoch != p->leader_epoch()) {
      r.error_code = wire(l.current_leader_epoch > p->leader_epoch() ? ErrorCode::unknown_leader_epoch
                                                                     : ErrorCode::fenced_leader_epoch);
      co_return r;
    }
    r.leader_epoch = p->leader_epoch();
    storage::PartitionLog& log = p->log();
    switch (l.timestamp) {
      case kLatest:
        r.offset = p->high_watermark().value();
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
  });
  *l.out = std::move(r);
  wg.done();
}

}  // namespace

io::Task<HandlerStatus> list_offsets(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::ListOffsetsRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Shard& shard = ctx.shard;
  cluster::ImagePtr image = shard.image();

  protocol::ListOffsetsResponse resp;
  std::vector<Lookup> lookups;
  resp.topics.reserve(req.topics.size());
  for (const auto& t : req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    tr.partitions.reserve(t.partitions.size());
    const cluster::TopicInfo* info = image->topic(t.name);
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p.partition_index;
      if (info == nullptr || !info->has_partition(p.partition_index)) {
        pr.error_code = wire(ErrorCode::unknown_topic_or_partition);
        continue;
      }
      if (p.timestamp == kMaxTimestamp && ctx.api_version < 7) {
        pr.error_code = wire(ErrorCode::unsupported_version);
        continue;
      }
      lookups.push_back(Lookup{t.name, p.partition_index, p.timestamp, p.current_leader_epoch, &pr});
    }
  }
  io::WaitGroup wg;
  wg.add(static_cast<int>(lookups.size()));
  for (Lookup& l : lookups) shard.ring().spawn(lookup(shard, l, wg));
  co_await wg.wait();
  for (const auto& t : resp.topics) note_errors(ctx, t.partitions);
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
