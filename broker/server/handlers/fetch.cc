#include <chrono>

#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/records/batch_splitter.h"
#include "broker/server/broker.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

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

struct ReadOutcome {
  ErrorCode error = ErrorCode::none;
  ByteBuffer bytes;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  int32_t uid = 0;
};

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now().time_since_epoch()).count();
}

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

// The core a request's session lives on; an id no core could have made is looked up here.
int session_home(Shard& shard, int32_t id) {
  return id > 0 ? FetchSessionCache::home_of(id, shard.broker().shard_count()) : shard.index();
}

// The session step of the table in fetch_session.h, on the session's home core.
io::Task<SessionPlan> plan_session(Shard& shard, Router& router, const SessionRequest& sreq) {
  const bool full = FetchSessionCache::is_full_fetch(sreq.epoch);
  if (full && sreq.id != 0 && session_home(shard, sreq.id) != shard.index()) {
    int32_t id = sreq.id;
    co_await router.on_core(session_home(shard, id), [id](Shard& home) -> io::Task<bool> {
      co_return home.fetch_sessions().close(id);
    });
  }
  int home = full ? shard.index() : session_home(shard, sreq.id);
  int64_t now = steady_ms();
  co_return co_await router.on_core(home, [&sreq, now](Shard& h) -> io::Task<SessionPlan> {
    co_return h.fetch_sessions().plan(sreq, now);
  });
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

ReadOutcome missing_partition(ErrorCode e) {
  ReadOutcome r;
  r.error = e;
  return r;
}

// Reads one partition on its owner core; with `watch`, asks to be woken (on `origin`) when it
// grows, for the long poll.
io::Task<ReadOutcome> read_here(cluster::Partition& p, const FetchPosition& pos, bool watch, int origin) {
  ReadOutcome r;
  r.uid = p.uid();
  if (pos.current_leader_epoch >= 0 && pos.current_leader_epoch != p.leader_epoch()) {
    r.error = pos.current_leader_epoch > p.leader_epoch() ? ErrorCode::unknown_leader_epoch
                                                          : ErrorCode::fenced_leader_epoch;
    co_return r;
  }
  int64_t hw = p.high_watermark().value();
  r.high_watermark = hw;
  r.log_start_offset = p.log().log_start_offset().value();
  if (pos.fetch_offset < r.log_start_offset || pos.fetch_offset > hw) {
    r.error = ErrorCode::offset_out_of_range;
    co_return r;
  }
  if (pos.fetch_offset < hw) {
    storage::ReadResult rr = co_await p.log().read(Offset(pos.fetch_offset), pos.max_bytes, Offset(hw), true);
    r.error = rr.error;
    r.bytes = std::move(rr.bytes);
    r.log_start_offset = rr.log_start_offset.value();
  }
  // Watched even when some bytes came back: fewer than min_bytes must not wait out max_wait_ms.
  if (watch) p.watch(origin);
  co_return r;
}

// Reads every resolved target, again after each append to one of them, until min_bytes are
// there, an error shows up or max_wait_ms has passed.
io::Task<void> read_all(Shard& shard, Router& router, const protocol::FetchRequest& req,
                        const std::vector<Target>& targets, std::vector<ReadOutcome>& outcomes) {
  int64_t deadline_ms = steady_ms() + std::max(0, req.max_wait_ms);
  AppendWatch& watch = shard.append_watch();
  const bool may_wait = req.max_wait_ms > 0 && req.min_bytes > 0;
  for (;;) {
    uint64_t epoch_before = watch.epoch();
    const int origin = shard.index();
    co_await router.for_each(targets.size(), [&](size_t i) -> io::Task<void> {
      const Target& t = targets[i];
      if (t.resolve_error != ErrorCode::none) co_return;
      TopicPartition tp{t.pos.topic, PartitionId(t.pos.partition)};
      outcomes[i] = co_await router.on_partition(
          tp, [&t, may_wait, origin](Shard&, cluster::Partition& p) { return read_here(p, t.pos, may_wait, origin); },
          missing_partition);
    });
    size_t total = 0;
    bool any_error = false;
    for (const auto& o : outcomes) {
      total += o.bytes.size();
      any_error |= o.error != ErrorCode::none;
    }
    if (!may_wait || total >= static_cast<size_t>(req.min_bytes) || any_error || steady_ms() >= deadline_ms) co_return;
    // Something may have been appended while we were reading: then read again at once.
    bool news = false;
    for (const auto& o : outcomes) news |= o.uid != 0 && watch.epoch_of(o.uid) > epoch_before;
    if (news) continue;
    AppendWatch::Waiter waiter(shard.ring());
    for (const auto& o : outcomes) {
      if (o.uid != 0) watch.add(o.uid, &waiter);
    }
    waiter.arm_timer(io::Clock::now() + std::chrono::milliseconds(deadline_ms - steady_ms()));
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
    size_t n = 0;
    if (records::next_batch(bytes.data() + keep, bytes.size() - keep, n) != records::SplitResult::batch) break;
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
io::Task<std::vector<bool>> report_to_session(Shard& shard, Router& router, const SessionPlan& plan,
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
  int32_t id = plan.session_id;
  bool incremental = plan.incremental;
  co_return co_await router.on_core(session_home(shard, id), [&reports, id, incremental](Shard& home) -> io::Task<std::vector<bool>> {
    co_return home.fetch_sessions().report(id, incremental, reports);
  });
}

}  // namespace

io::Task<HandlerStatus> fetch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::FetchRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Shard& shard = ctx.shard;
  Router router(shard);
  const int16_t v = ctx.api_version;
  const bool by_id = v >= 13;
  protocol::FetchResponse resp;
  cluster::ImagePtr image = shard.image();

  // Plan. Before v7 there are no sessions: every fetch is sessionless and full.
  SessionRequest sreq = session_request(req, *image, by_id);
  SessionPlan plan;
  if (v >= 7) {
    plan = co_await plan_session(shard, router, sreq);
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
  co_await read_all(shard, router, req, targets, outcomes);

  // Assemble.
  apply_byte_budget(req, outcomes);
  std::vector<bool> include(targets.size(), true);
  if (plan.session_id != 0) include = co_await report_to_session(shard, router, plan, targets, outcomes);
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
    if (!o.bytes.empty()) shard.probe().on_fetched(pos.topic, o.bytes.size());
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
