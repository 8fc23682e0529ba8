// OffsetFetch (API 9): one group (v1-7) or many (v8+), each answered by its coordinator core.
// Partitions without a committed offset answer -1 with empty metadata; a null topic list
// means every committed offset of the group.
#include "broker/protocol/generated/offset_fetch_request.h"
#include "broker/protocol/generated/offset_fetch_response.h"
#include "broker/server/handlers/error_note.h"
#include "broker/server/group_service.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"

namespace runnel::server::handlers {

namespace {

struct Query {
  std::string group_id;
  std::optional<std::vector<group::TopicPartition>> partitions;
  std::optional<group::FetchingMember> member;  // v9+: KIP-848 members say who they are
};

io::Task<group::OffsetFetchResult> fetch_group(Shard& shard, Query& q) {
  Router router(shard);
  co_return co_await router.on_group(q.group_id, [&q](GroupService& groups) -> io::Task<group::OffsetFetchResult> {
    co_return groups.for_group(q.group_id).fetch_offsets(q.group_id, q.partitions, q.member);
  });
}

// Results grouped by topic, in first-seen order.
template <typename Topic>
void fill_topics(const group::OffsetFetchResult& r, std::vector<Topic>& topics) {
  for (const group::FetchedOffset& f : r.offsets) {
    Topic* t = nullptr;
    for (auto& existing : topics)
      if (existing.name == f.tp.topic) t = &existing;
    if (t == nullptr) {
      t = &topics.emplace_back();
      t->name = f.tp.topic;
    }
    auto& p = t->partitions.emplace_back();
    p.partition_index = f.tp.partition;
    p.committed_offset = f.offset.offset;
    p.committed_leader_epoch = f.offset.leader_epoch;
    p.metadata = f.offset.offset < 0 ? std::optional<std::string>("") : f.offset.metadata;
    p.error_code = 0;
  }
}

}  // namespace

io::Task<HandlerStatus> offset_fetch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::OffsetFetchRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  protocol::OffsetFetchResponse resp;
  if (ctx.api_version < 8) {
    Query q{req.group_id, std::nullopt, std::nullopt};
    if (req.topics) {
      q.partitions.emplace();
      for (const auto& t : *req.topics)
        for (int32_t p : t.partition_indexes) q.partitions->push_back(group::TopicPartition{t.name, p});
    }
    group::OffsetFetchResult r = co_await fetch_group(ctx.shard, q);
    if (r.error != ErrorCode::none) {
      ctx.note_error(r.error);
      if (ctx.api_version >= 2) {
        resp.error_code = wire(r.error);
      } else if (q.partitions) {
        // v1 has no top-level error: every partition carries it.
        for (const auto& tp : *q.partitions) r.offsets.push_back(group::FetchedOffset{tp, {}});
        fill_topics(r, resp.topics);
        for (auto& t : resp.topics)
          for (auto& p : t.partitions) p.error_code = wire(r.error);
      }
    } else {
      fill_topics(r, resp.topics);
    }
  } else {
    for (const auto& g : req.groups) {
      Query q{g.group_id, std::nullopt, std::nullopt};
      if (ctx.api_version >= 9 && g.member_epoch >= 0) {
        q.member = group::FetchingMember{g.member_id.value_or(""), g.member_epoch};
      }
      if (g.topics) {
        q.partitions.emplace();
        for (const auto& t : *g.topics)
          for (int32_t p : t.partition_indexes) q.partitions->push_back(group::TopicPartition{t.name, p});
      }
      group::OffsetFetchResult r = co_await fetch_group(ctx.shard, q);
      auto& rg = resp.groups.emplace_back();
      rg.group_id = g.group_id;
      rg.error_code = wire(r.error);
      if (r.error != ErrorCode::none) {
        ctx.note_error(r.error);
      } else {
        fill_topics(r, rg.topics);
      }
    }
  }
  note_error_code(ctx, resp.error_code);
  for (const auto& t : resp.topics) note_errors(ctx, t.partitions);
  note_errors(ctx, resp.groups);
  for (const auto& g : resp.groups) {
    for (const auto& t : g.topics) note_errors(ctx, t.partitions);
  }
  resp.encode(out, ctx.api_version);
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
