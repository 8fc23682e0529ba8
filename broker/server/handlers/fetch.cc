#include <chrono>

#include "broker/io/for_each.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/records/batch_splitter.h"
#include "broker/server/handlers/leader_hints.h"
#include "broker/server/handlers/partition_handlers.h"

// Fetch in three steps: plan (the session step and name resolution), execute (read every
// partition on its owner core, long-polling until min_bytes or max_wait_ms) and assemble (the
// KIP-74 byte budget, what an incremental response leaves out, the response itself).

namespace runnel::server::handlers {

namespace {

using PartitionData = protocol::FetchResponse::FetchableTopicResponse::PartitionData;

// One partition to read in this Fetch, resolved against the metadata image.
struct Target {
  FetchPosition pos;
  ErrorCode resolve_error = ErrorCode::none;
};

// --- Plan ---

// The request's session fields and partitions. A topic the image does not know keeps its
// requested name (by id: the id in base64), so the session can still remember and forget it.
SessionRequest session_request(const protocol::FetchRequest& req, const cluster::MetadataImage& image, bool by_id) {
  auto name_of = [&](const std::string& name, const Uuid& id) -> std::pair<std::string, Uuid> {
    const cluster::TopicInfo* t = by_id ? image.topic_by_id(id) : image.topic(name);
    if (t != nullptr) return {t->name, t->id};
    return {by_id ? id.to_base64() : name, id};
  };
  SessionRequest s;
  s.id = req.session_id;
  s.epoch = req.session_epoch;
  s.uses_topic_ids = by_id;
  for (const auto& ft : req.topics) {
    auto [name, id] = name_of(ft.topic, ft.topic_id);
    for (const auto& fp : ft.partitions) {
      s.positions.push_back(FetchPosition{name, id, fp.partition, fp.fetch_offset, fp.partition_max_bytes,
                                          fp.current_leader_epoch});
    }
  }
  for (const auto& ft : req.forgotten_topics_data) {
    auto [name, id] = name_of(ft.topic, ft.topic_id);
    for (int32_t p : ft.partitions) s.forgotten.push_back(FetchPosition{name, id, p});
  }
  return s;
}

std::vector<Target> resolve(const std::vector<FetchPosition>& reads, const cluster::MetadataImage& image, bool by_id) {
  std::vector<Target> targets;
  targets.reserve(reads.size());
  for (const FetchPosition& pos : reads) {
    Target& t = targets.emplace_back(Target{pos});
    const cluster::TopicInfo* info = by_id ? image.topic_by_id(pos.topic_id) : image.topic(pos.topic);
    if (info == nullptr) {
      t.resolve_error = by_id ? ErrorCode::unknown_topic_id : ErrorCode::unknown_topic_or_partition;
    } else if (!info->has_partition(pos.partition)) {
      t.resolve_error = ErrorCode::unknown_topic_or_partition;
    }
  }
  return targets;
}

// --- Execute ---

// Reads every resolved target, again after each append to one of them, until min_bytes are
// there, an error shows up or max_wait_ms has passed.
io::Task<void> read_all(PartitionEnv& env, const protocol::FetchRequest& req, const std::vector<Target>& targets,
                        std::vector<ReadOutcome>& outcomes) {
  const auto deadline = io::Clock::now() + std::chrono::milliseconds(std::max(0, req.max_wait_ms));
  AppendWatch& watch = env.watch;
  const bool may_wait = req.max_wait_ms > 0 && req.min_bytes > 0;
  for (;;) {
    uint64_t epoch_before = watch.epoch();
    co_await io::for_each(env.ring, targets.size(), [&](size_t i) -> io::Task<void> {
      const Target& t = targets[i];
      if (t.resolve_error != ErrorCode::none) co_return;
      TopicPartition tp{t.pos.topic, PartitionId(t.pos.partition)};
      outcomes[i] = co_await env.router.read(tp, t.pos, may_wait);
    });
    size_t total = 0;
    bool any_error = false;
    for (const auto& o : outcomes) {
      total += o.bytes.size();
      any_error |= o.error != ErrorCode::none;
    }
    // A broker shutting down answers with what it has (AppendWatch::stop).
    if (!may_wait || total >= static_cast<size_t>(req.min_bytes) || any_error || io::Clock::now() >= deadline ||
        watch.stopped()) {
      co_return;
    }
    // Something may have been appended while we were reading: then read again at once.
    bool news = false;
    for (const auto& o : outcomes) news |= o.uid != 0 && watch.epoch_of(o.uid) > epoch_before;
    if (news) continue;
    AppendWatch::Waiter waiter(env.ring);
    for (const auto& o : outcomes) {
      if (o.uid != 0) watch.add(o.uid, &waiter);
    }
    waiter.arm_timer(deadline);
    co_await waiter;
    for (const auto& o : outcomes) {
      if (o.uid != 0) watch.remove(o.uid, &waiter);
    }
  }
}

// --- Assemble ---

// Cuts `bytes` to whole batches totalling at most `budget` bytes.
void trim_to_batches(ByteBuffer& bytes, size_t budget) {
  size_t keep = 0;
  while (keep < bytes.size()) {
    Result<size_t, records::CorruptBatch> next = records::next_batch(bytes.data() + keep, bytes.size() - keep);
    if (!next || *next == 0) break;
    const size_t n = *next;
    if (keep + n > budget) break;
    keep += n;
  }
  bytes.resize(keep);
}

// Applies the response byte budget in request order, at least one batch (KIP-74).
void apply_byte_budget(const protocol::FetchRequest& req, std::vector<ReadOutcome>& outcomes) {
  size_t budget = req.max_bytes > 0 ? static_cast<size_t>(req.max_bytes) : 0;
  size_t used = 0;
  for (ReadOutcome& o : outcomes) {
    if (o.bytes.empty()) continue;
    if (used > 0 && used + o.bytes.size() > budget) trim_to_batches(o.bytes, budget > used ? budget - used : 0);
    used += o.bytes.size();
  }
}

// Tells the session what this response says of each partition; returns which to include.
io::Task<std::vector<bool>> report_to_session(PartitionRouter& router, const SessionPlan& plan,
                                              const std::vector<Target>& targets,
                                              const std::vector<ReadOutcome>& outcomes) {
  std::vector<PartitionReport> reports;
  reports.reserve(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    const ReadOutcome& o = outcomes[i];
    ErrorCode err = targets[i].resolve_error != ErrorCode::none ? targets[i].resolve_error : o.error;
    reports.push_back(PartitionReport{targets[i].pos.topic, targets[i].pos.partition, err, o.high_watermark,
                                      o.log_start_offset, o.bytes.size()});
  }
  co_return co_await router.report_session(plan.session_id, plan.incremental, reports);
}

}  // namespace

io::Task<HandlerStatus> serve_fetch(PartitionEnv& env, RequestInfo& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::FetchRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  co_return co_await serve_decoded_fetch(env, ctx, req, out);
}

io::Task<HandlerStatus> serve_decoded_fetch(PartitionEnv& env, RequestInfo& ctx, const protocol::FetchRequest& req,
                                            protocol::Writer& out) {
  const int16_t v = ctx.api_version;
  const bool by_id = v >= 13;
  protocol::FetchResponse resp;
  const cluster::ImagePtr& image = env.image;

  // Plan. Before v7 there are no sessions: every fetch is sessionless and full.
  SessionRequest sreq = session_request(req, *image, by_id);
  SessionPlan plan;
  if (v >= 7) {
    plan = co_await env.router.plan_session(sreq);
  } else {
    plan.reads = std::move(sreq.positions);
  }
  if (plan.error != ErrorCode::none) {
    ctx.note_error(plan.error);
    resp.error_code = wire(plan.error);
    resp.encode(out, v);
    co_return HandlerStatus::respond;
  }
  std::vector<Target> targets = resolve(plan.reads, *image, by_id);

  // Execute.
  std::vector<ReadOutcome> outcomes(targets.size());
  co_await read_all(env, req, targets, outcomes);

  // Assemble.
  apply_byte_budget(req, outcomes);
  std::vector<bool> include(targets.size(), true);
  if (plan.session_id != 0) include = co_await report_to_session(env.router, plan, targets, outcomes);
  resp.session_id = plan.session_id;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!include[i]) continue;  // nothing new for this partition: an incremental response omits it
    const FetchPosition& pos = targets[i].pos;
    ReadOutcome& o = outcomes[i];
    ErrorCode err = targets[i].resolve_error != ErrorCode::none ? targets[i].resolve_error : o.error;
    if (resp.responses.empty() || resp.responses.back().topic != pos.topic ||
        (by_id && resp.responses.back().topic_id != pos.topic_id)) {
      auto& tr = resp.responses.emplace_back();
      tr.topic = pos.topic;
      tr.topic_id = pos.topic_id;
    }
    PartitionData& pd = resp.responses.back().partitions.emplace_back();
    pd.partition_index = pos.partition;
    pd.error_code = wire(err);
    pd.high_watermark = o.high_watermark;
    pd.last_stable_offset = o.high_watermark;  // no transactions yet: LSO = HW
    pd.log_start_offset = o.log_start_offset;
    if (req.isolation_level == 0) pd.aborted_transactions.reset();
    pd.records.is_null = false;
    pd.records.data = o.bytes.data();
    pd.records.size = o.bytes.size();
    pd.records.external = true;  // sent from o.bytes, not copied into the response
    if (err != ErrorCode::none) ctx.note_error(err);
    if (!o.bytes.empty() && env.probe != nullptr) env.probe->on_fetched(pos.topic, o.bytes.size());
    if (err == ErrorCode::not_leader_or_follower) {
      const cluster::TopicInfo* info = by_id ? image->topic_by_id(pos.topic_id) : image->topic(pos.topic);
      if (info != nullptr) add_leader_hint(*image, info->name, pos.partition, pd, resp.node_endpoints);
    }
  }
  resp.encode(out, v);
  if (out.has_external()) {
    for (ReadOutcome& o : outcomes) {
      if (!o.bytes.empty()) ctx.keep.push_back(std::move(o.bytes));
    }
  }
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
