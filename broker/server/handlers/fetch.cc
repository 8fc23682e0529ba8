#include <chrono>

#include "broker/io/wait_group.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/records/batch_splitter.h"
#include "broker/server/broker.h"
#include "broker/server/cross_call.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

using PartitionData = protocol::FetchResponse::FetchableTopicResponse::PartitionData;

// One partition to read in this Fetch, resolved against the metadata image.
struct Target {
  SessionPartition* session_entry = nullptr;  // for incremental sessions
  std::string topic;
  Uuid topic_id;
  int32_t partition = 0;
  int64_t fetch_offset = 0;
  int32_t max_bytes = 0;
  int32_t current_leader_epoch = -1;
  ErrorCode resolve_error = ErrorCode::none;
};

struct ReadOutcome {
  ErrorCode error = ErrorCode::none;
  ByteBuffer bytes;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  int32_t uid = 0;
};

io::Task<void> read_partition(Shard& shard, const Target& t, bool watch, ReadOutcome& out, io::WaitGroup& wg) {
  Broker& broker = shard.broker();
  Shard& owner = broker.shard(broker.owner_of(t.topic, t.partition));
  int origin = shard.index();
  out = co_await on(shard.ring(), owner.ring(), [&owner, &t, watch, origin]() -> io::Task<ReadOutcome> {
    ReadOutcome r;
    cluster::Partition* p = owner.partition(t.topic, t.partition);
    if (p == nullptr) {
      r.error = ErrorCode::not_leader_or_follower;
      co_return r;
    }
    r.uid = p->uid();
    if (t.current_leader_epoch >= 0 && t.current_leader_epoch != p->leader_epoch()) {
      r.error = t.current_leader_epoch > p->leader_epoch() ? ErrorCode::unknown_leader_epoch
                                                           : ErrorCode::fenced_leader_epoch;
      co_return r;
    }
    int64_t hw = p->high_watermark().value();
    r.high_watermark = hw;
    r.log_start_offset = p->log().log_start_offset().value();
    if (t.fetch_offset < r.log_start_offset || t.fetch_offset > hw) {
      r.error = ErrorCode::offset_out_of_range;
      co_return r;
    }
    if (t.fetch_offset < hw) {
      storage::ReadResult rr = co_await p->log().read(Offset(t.fetch_offset), t.max_bytes, Offset(hw), true);
      r.error = rr.error;
      r.bytes = std::move(rr.bytes);
      r.log_start_offset = rr.log_start_offset.value();
    }
    if (r.bytes.empty() && watch) p->watch(origin);
    co_return r;
  });
  wg.done();
}

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

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now().time_since_epoch()).count();
}

}  // namespace

io::Task<HandlerStatus> fetch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::FetchRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  Shard& shard = ctx.shard;
  const int16_t v = ctx.api_version;
  const bool by_id = v >= 13;
  protocol::FetchResponse resp;

  // --- Fetch session bookkeeping (KIP-227) ---
  FetchSession* session = nullptr;
  bool incremental = false;
  if (v >= 7) {
    FetchSessionCache& cache = shard.fetch_sessions();
    if (req.session_id == 0 && req.session_epoch == 0) {
      session = cache.create();
    } else if (req.session_id != 0 && req.session_epoch == -1) {
      cache.erase(req.session_id);
    } else if (req.session_id != 0 || req.session_epoch != -1) {
      session = req.session_id != 0 ? cache.find(req.session_id) : nullptr;
      ErrorCode err = ErrorCode::none;
      if (session == nullptr) {
        err = req.session_id == 0 ? ErrorCode::invalid_fetch_session_epoch : ErrorCode::fetch_session_id_not_found;
      } else if (session->next_epoch != req.session_epoch) {
        err = ErrorCode::invalid_fetch_session_epoch;
      }
      if (err != ErrorCode::none) {
        ctx.note_error(err);
        resp.error_code = wire(err);
        resp.encode(out, v);
        co_return HandlerStatus::respond;
      }
      incremental = true;
    }
  }

  cluster::ImagePtr image = shard.image();
  auto resolve = [&](const std::string& name, const Uuid& id, std::string& topic_out, Uuid& id_out) -> ErrorCode {
    const cluster::TopicInfo* t = by_id ? image->topic_by_id(id) : image->topic(name);
    if (t == nullptr) return by_id ? ErrorCode::unknown_topic_id : ErrorCode::unknown_topic_or_partition;
    topic_out = t->name;
    id_out = t->id;
    return ErrorCode::none;
  };

  std::vector<Target> targets;
  if (incremental) {
    for (const auto& ft : req.forgotten_topics_data) {
      std::string name = ft.topic;
      Uuid id;
      if (by_id) {
        if (const cluster::TopicInfo* t = image->topic_by_id(ft.topic_id)) name = t->name;
      }
      for (int32_t p : ft.partitions) session->remove(name, p);
    }
  } else if (session != nullptr) {
    session->partitions.clear();
  }
  for (const auto& ft : req.topics) {
    std::string name;
    Uuid id = ft.topic_id;
    ErrorCode err = resolve(ft.topic, ft.topic_id, name, id);
    if (err != ErrorCode::none) name = by_id ? ft.topic_id.to_base64() : ft.topic;
    for (const auto& fp : ft.partitions) {
      if (session != nullptr) {
        SessionPartition* sp = session->find(name, fp.partition);
        if (sp == nullptr) {
          session->partitions.push_back(SessionPartition{name, id, fp.partition});
          sp = &session->partitions.back();
        }
        sp->fetch_offset = fp.fetch_offset;
        sp->max_bytes = fp.partition_max_bytes;
        sp->current_leader_epoch = fp.current_leader_epoch;
      } else {
        Target t;
        t.topic = name;
        t.topic_id = id;
        t.partition = fp.partition;
        t.fetch_offset = fp.fetch_offset;
        t.max_bytes = fp.partition_max_bytes;
        t.current_leader_epoch = fp.current_leader_epoch;
        t.resolve_error = err;
        if (err == ErrorCode::none && (fp.partition < 0 || fp.partition >= static_cast<int32_t>(image->topic(name)->partitions.size()))) {
          t.resolve_error = ErrorCode::unknown_topic_or_partition;
        }
        targets.push_back(std::move(t));
      }
    }
  }
  if (session != nullptr) {
    for (SessionPartition& sp : session->partitions) {
      Target t;
      t.session_entry = &sp;
      t.topic = sp.topic;
      t.topic_id = sp.topic_id;
      t.partition = sp.partition;
      t.fetch_offset = sp.fetch_offset;
      t.max_bytes = sp.max_bytes;
      t.current_leader_epoch = sp.current_leader_epoch;
      const cluster::TopicInfo* info = image->topic(sp.topic);
      if (info == nullptr || (by_id && info->id != sp.topic_id)) {
        t.resolve_error = by_id ? ErrorCode::unknown_topic_id : ErrorCode::unknown_topic_or_partition;
      } else if (!info->has_partition(sp.partition)) {
        t.resolve_error = ErrorCode::unknown_topic_or_partition;
      }
      targets.push_back(std::move(t));
    }
    session->next_epoch = next_session_epoch(incremental ? req.session_epoch : 0);
    resp.session_id = session->id;
  }

  // --- Read, long-polling until min_bytes or max_wait_ms ---
  std::vector<ReadOutcome> outcomes(targets.size());
  int64_t deadline_ms = steady_ms() + std::max(0, req.max_wait_ms);
  AppendWatch& watch = shard.append_watch();
  for (;;) {
    uint64_t epoch_before = watch.epoch();
    bool may_wait = req.max_wait_ms > 0 && req.min_bytes > 0;
    io::WaitGroup wg;
    for (size_t i = 0; i < targets.size(); ++i) {
      if (targets[i].resolve_error != ErrorCode::none) continue;
      wg.add();
      shard.ring().spawn(read_partition(shard, targets[i], may_wait, outcomes[i], wg));
    }
    co_await wg.wait();
    size_t total = 0;
    bool any_error = false;
    for (const auto& o : outcomes) {
      total += o.bytes.size();
      any_error |= o.error != ErrorCode::none;
    }
    if (!may_wait || total >= static_cast<size_t>(req.min_bytes) || any_error || steady_ms() >= deadline_ms) break;
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

  // --- Assemble: respect max_bytes in request order, at least one batch (KIP-74) ---
  // The session may have been evicted while we waited; entries are looked up again by key.
  if (session != nullptr) session = shard.fetch_sessions().find(resp.session_id);
  size_t budget = req.max_bytes > 0 ? static_cast<size_t>(req.max_bytes) : 0;
  size_t used = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    Target& t = targets[i];
    ReadOutcome& o = outcomes[i];
    t.session_entry = session != nullptr ? session->find(t.topic, t.partition) : nullptr;
    ErrorCode err = t.resolve_error != ErrorCode::none ? t.resolve_error : o.error;
    if (!o.bytes.empty()) {
      if (used > 0 && used + o.bytes.size() > budget) trim_to_batches(o.bytes, budget > used ? budget - used : 0);
      used += o.bytes.size();
    }
    if (incremental && t.session_entry != nullptr && err == ErrorCode::none && o.bytes.empty() &&
        t.session_entry->sent && t.session_entry->last_high_watermark == o.high_watermark &&
        t.session_entry->last_log_start_offset == o.log_start_offset) {
      continue;  // nothing new for this partition: an incremental response omits it
    }
    if (t.session_entry != nullptr) {
      t.session_entry->sent = true;
      t.session_entry->last_high_watermark = o.high_watermark;
      t.session_entry->last_log_start_offset = o.log_start_offset;
    }
    if (resp.responses.empty() || resp.responses.back().topic != t.topic ||
        (by_id && resp.responses.back().topic_id != t.topic_id)) {
      auto& tr = resp.responses.emplace_back();
      tr.topic = t.topic;
      tr.topic_id = t.topic_id;
    }
    PartitionData& pd = resp.responses.back().partitions.emplace_back();
    pd.partition_index = t.partition;
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
    if (!o.bytes.empty()) shard.probe().on_fetched(t.topic, o.bytes.size());
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
