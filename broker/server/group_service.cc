#include "broker/server/group_service.h"

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <optional>
#include <unordered_map>

#include "broker/log/log.h"
#include "broker/records/batch_builder.h"
#include "broker/records/batch_header.h"
#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"
#include "broker/server/broker.h"
#include "broker/server/shard.h"
#include "broker/server/storage_errors.h"

namespace runnel::server {

namespace {

// Resumes the awaiting coroutine on the next loop iteration of `ring`, never inside set().
template <typename T>
class Answer final : public io::Completion {
 public:
  explicit Answer(io::Ring& ring) : ring_(ring) {}
  void set(T v) {
    value_.emplace(std::move(v));
    if (waiter_) ring_.post(this);
  }
  bool await_ready() const noexcept { return value_.has_value(); }
  void await_suspend(std::coroutine_handle<> h) noexcept { waiter_ = h; }
  T await_resume() { return std::move(*value_); }
  void complete(int32_t, uint32_t) override { waiter_.resume(); }

 private:
  io::Ring& ring_;
  std::optional<T> value_;
  std::coroutine_handle<> waiter_;
};

// One hop through the ring's ready queue.
struct Yield final : io::Completion {
  io::Ring& ring;
  std::coroutine_handle<> waiter;
  explicit Yield(io::Ring& r) : ring(r) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter = h;
    ring.post(this);
  }
  void await_resume() const noexcept {}
  void complete(int32_t, uint32_t) override { waiter.resume(); }
};

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int32_t kLoadReadBytes = 1 << 20;

}  // namespace

class GroupService::RingTimers final : public group::Timers {
 public:
  explicit RingTimers(io::Ring& ring) : ring_(ring) {}
  ~RingTimers() override {
    for (auto& [id, e] : entries_) ring_.timers().cancel(e->queue_id);
  }
  int64_t now_ms() override { return wall_ms(); }
  Id schedule(int64_t delay_ms, std::function<void()> fn) override {
    Id id = next_++;
    auto e = std::make_unique<Entry>(*this, id, std::move(fn));
    e->queue_id = ring_.timers().add(io::Clock::now() + std::chrono::milliseconds(std::max<int64_t>(delay_ms, 0)), e.get());
    entries_.emplace(id, std::move(e));
    return id;
  }
  void cancel(Id id) override {
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    ring_.timers().cancel(it->second->queue_id);
    entries_.erase(it);
  }

 private:
  struct Entry final : io::Completion {
    Entry(RingTimers& o, Id i, std::function<void()> f) : owner(o), id(i), fn(std::move(f)) {}
    void complete(int32_t, uint32_t) override {
      std::function<void()> f = std::move(fn);
      owner.entries_.erase(id);  // destroys this
      f();
    }
    RingTimers& owner;
    Id id;
    std::function<void()> fn;
    io::TimerQueue::Id queue_id = 0;
  };
  io::Ring& ring_;
  Id next_ = 1;
  std::unordered_map<Id, std::unique_ptr<Entry>> entries_;
};

class GroupService::LogJournal final : public group::Journal {
 public:
  explicit LogJournal(Shard& shard) : shard_(shard) {}
  void append(int32_t partition, std::vector<group::JournalRecord> records,
              std::function<void(ErrorCode)> done) override {
    // The job lives on the heap rather than in coroutine parameters: see cross_call.h on
    // g++ 12 and non-trivial by-value captures.
    auto* job = new Job{partition, std::move(records), std::move(done)};
    // A child of the shard's background loops, joined at shutdown. Refused only once those are
    // being joined, after every request was: nobody waits for this answer any more.
    if (!shard_.spawn_background(write(job))) delete job;
  }

 private:
  struct Job {
    int32_t partition;
    std::vector<group::JournalRecord> records;
    std::function<void(ErrorCode)> done;
  };

  io::Task<void> write(Job* job) {
    co_await Yield(shard_.ring());  // the coordinator never hears back inside append()
    ErrorCode result = ErrorCode::none;
    cluster::Partition* p = shard_.partition(kOffsetsTopic, job->partition);
    // Inside the partition's gate: its removal or close waits for this append and flush.
    std::optional<io::Gate::Holder> inside;
    if (p != nullptr) inside.emplace(p->gate());
    if (p == nullptr || !inside->ok()) {
      result = ErrorCode::not_leader_or_follower;
    } else {
      int64_t now = wall_ms();
      std::vector<records::RecordInput> inputs;
      inputs.reserve(job->records.size());
      for (const group::JournalRecord& r : job->records) {
        records::RecordInput in;
        in.key = r.key;
        if (r.value) in.value = std::string_view(*r.value);
        in.timestamp = now;
        inputs.push_back(std::move(in));
      }
      records::BatchOptions options;
      SharedBytes batch = SharedBytes::take(records::build_batch(options, inputs));
      storage::AppendResult ar = co_await p->log().append(batch, p->leader_epoch());
      result = to_kafka(ar.error);
      if (result == ErrorCode::none) {
        p = shard_.partition(kOffsetsTopic, job->partition);
        if (p == nullptr) {
          result = ErrorCode::not_leader_or_follower;
        } else {
          shard_.notify_append(*p);
          Result<void, storage::Errc> flushed = co_await p->log().flush(ar.last_offset);
          if (!flushed) result = to_kafka(flushed.error());
        }
      }
    }
    job->done(result);
    delete job;
  }

  Shard& shard_;
};

GroupService& Shard::groups() {
  // Created on first use, on this shard's thread (the constructor needs the broker config).
  if (!groups_) groups_ = std::make_unique<GroupService>(*this);
  return *groups_;
}

GroupService::GroupService(Shard& shard) : shard_(shard) {
  const auto& c = shard.broker().config();
  group::CoordinatorConfig cc;
  cc.offsets_partitions = c.offsets_topic_num_partitions;
  cc.min_session_timeout_ms = c.group_min_session_timeout_ms;
  cc.max_session_timeout_ms = c.group_max_session_timeout_ms;
  cc.initial_rebalance_delay_ms = c.group_initial_rebalance_delay_ms;
  cc.max_group_size = c.group_max_size;
  cc.offset_metadata_max_bytes = c.offset_metadata_max_bytes;
  cc.max_record_batch_bytes = c.message_max_bytes;
  cc.offsets_retention_ms = int64_t{c.offsets_retention_minutes} * 60'000;
  cc.consumer.heartbeat_interval_ms = c.group_consumer_heartbeat_interval_ms;
  cc.consumer.session_timeout_ms = c.group_consumer_session_timeout_ms;
  cc.consumer.max_size = c.group_consumer_max_size;
  cc.consumer.assignors = c.group_consumer_assignors;
  timers_ = std::make_unique<RingTimers>(shard.ring());
  journal_ = std::make_unique<LogJournal>(shard);
  coordinator_ = std::make_unique<group::Coordinator>(cc, *timers_, *journal_);
}

GroupService::~GroupService() {
  coordinator_.reset();  // cancels its timers while the timer service still exists
}

void GroupService::touch(const std::string& group_id) {
  if (group_id.empty() || shard_.shutting_down()) return;
  int32_t p = coordinator_->partition_for(group_id);
  if (coordinator_->is_known(p)) return;
  const bool open = shard_.led_partition(kOffsetsTopic, p) != nullptr;
  if (!open && !shard_.leads(*shard_.image(), kOffsetsTopic, p)) return;
  coordinator_->begin_load(p);
  ++loading_;
  shard_.spawn_background(open ? load(p) : load_once_open(p));
}

io::Task<void> GroupService::load_once_open(int32_t partition) {
  // Bounded: a log that never opens (a failed disk) must not keep the partition "loading".
  constexpr int64_t kOpenWaitMs = 30000;
  constexpr int64_t kStepMs = 10;
  for (int64_t waited = 0; waited < kOpenWaitMs && !shard_.shutting_down(); waited += kStepMs) {
    if (shard_.led_partition(kOffsetsTopic, partition) != nullptr) co_return co_await load(partition);
    if (!shard_.leads(*shard_.image(), kOffsetsTopic, partition)) break;
    co_await shard_.stop_source().sleep_for(std::chrono::milliseconds(kStepMs));
  }
  coordinator_->unload(partition);
  --loading_;
}

bool GroupService::any_loading() const { return loading_ > 0; }

io::Task<void> GroupService::load(int32_t partition) {
  int64_t next = -1;
  size_t records_seen = 0;
  while (true) {
    cluster::Partition* p = shard_.partition(kOffsetsTopic, partition);
    if (p == nullptr) break;
    io::Gate::Holder inside(p->gate());  // shutdown or removal closes the log only after this read
    if (!inside.ok()) break;
    storage::PartitionLog& log = p->log();
    if (next < 0) next = log.log_start_offset().value();
    Offset end = log.log_end_offset();
    if (next >= end.value()) break;
    storage::ReadResult r = co_await log.read(Offset(next), kLoadReadBytes, end, true);
    if (r.error != storage::Errc::none || r.bytes.empty()) {
      RUNNEL_LOG(error, "loading %s-%d at offset %lld: %s", kOffsetsTopic, partition, static_cast<long long>(next),
                 storage::name(r.error));
      break;
    }
    size_t pos = 0;
    while (r.bytes.size() - pos >= records::layout::header_size) {
      records::BatchHeader h;
      records::parse_header(r.bytes.data() + pos, r.bytes.size() - pos, h);
      size_t size = static_cast<size_t>(h.size_bytes());
      if (size < records::layout::header_size || size > r.bytes.size() - pos) break;
      const uint8_t* body = r.bytes.data() + pos + records::layout::header_size;
      size_t body_size = size - records::layout::header_size;
      std::vector<uint8_t> plain;
      if (!h.is_control() && h.compression() != records::Compression::none && h.compression_known()) {
        if (records::decompress(h.compression(), body, body_size, plain, 64 << 20) != records::CodecStatus::ok) {
          plain.clear();
        }
        body = plain.data();
        body_size = plain.size();
      }
      if (!h.is_control()) {
        records::RecordReader reader(body, body_size, h.records_count);
        records::RecordView rec;
        while (reader.next(rec)) {
          if (rec.key.is_null()) continue;
          std::optional<std::string_view> value;
          if (!rec.value.is_null()) value = rec.value.str();
          coordinator_->replay(partition, rec.key.str(), value);
          ++records_seen;
        }
      }
      next = h.last_offset() + 1;
      pos += size;
    }
    if (pos == 0) break;  // no whole batch: corrupt; stop rather than spin
  }
  coordinator_->finish_load(partition);
  --loading_;
  if (records_seen > 0) RUNNEL_LOG(info, "loaded %s-%d: %zu records", kOffsetsTopic, partition, records_seen);
}

io::Task<group::JoinResult> GroupService::join(group::JoinRequest req) {
  touch(req.group_id);
  Answer<group::JoinResult> answer(shard_.ring());
  coordinator_->join(std::move(req), [&answer](group::JoinResult r) { answer.set(std::move(r)); });
  co_return co_await answer;
}

io::Task<group::SyncResult> GroupService::sync(group::SyncRequest req) {
  touch(req.group_id);
  Answer<group::SyncResult> answer(shard_.ring());
  coordinator_->sync(std::move(req), [&answer](group::SyncResult r) { answer.set(std::move(r)); });
  co_return co_await answer;
}

io::Task<std::vector<ErrorCode>> GroupService::commit(group::OffsetCommitRequest req) {
  touch(req.group_id);
  Answer<std::vector<ErrorCode>> answer(shard_.ring());
  coordinator_->commit_offsets(std::move(req), [&answer](std::vector<ErrorCode> r) { answer.set(std::move(r)); });
  co_return co_await answer;
}

io::Task<std::pair<ErrorCode, std::vector<ErrorCode>>> GroupService::delete_offsets(
    std::string group_id, std::vector<group::TopicPartition> tps) {
  touch(group_id);
  using R = std::pair<ErrorCode, std::vector<ErrorCode>>;
  Answer<R> answer(shard_.ring());
  coordinator_->delete_offsets(group_id, std::move(tps),
                               [&answer](ErrorCode e, std::vector<ErrorCode> es) { answer.set(R{e, std::move(es)}); });
  co_return co_await answer;
}

io::Task<ErrorCode> GroupService::delete_group(std::string group_id) {
  touch(group_id);
  Answer<ErrorCode> answer(shard_.ring());
  coordinator_->delete_group(group_id, [&answer](ErrorCode e) { answer.set(e); });
  co_return co_await answer;
}

const group::TopicCatalog& GroupService::topic_catalog() {
  const cluster::ImagePtr& image = shard_.image();
  if (image.get() == catalog_image_.get()) return catalog_;
  catalog_ = group::TopicCatalog();
  // Internal topics included: Kafka resolves regexes over every topic and leaves dropping
  // internal ones to the client (exclude.internal.topics).
  for (const auto& [name, t] : image->topics) {
    catalog_.add(group::TopicMeta{name, t->id, static_cast<int32_t>(t->partitions.size())});
  }
  catalog_.version = image->version;
  catalog_image_ = image;
  return catalog_;
}

io::Task<group::ConsumerHeartbeatResult> GroupService::consumer_heartbeat(group::ConsumerHeartbeatRequest req) {
  touch(req.group_id);
  Answer<group::ConsumerHeartbeatResult> answer(shard_.ring());
  coordinator_->consumer_groups().heartbeat(std::move(req), topic_catalog(),
                                            [&answer](group::ConsumerHeartbeatResult r) { answer.set(std::move(r)); });
  co_return co_await answer;
}

void GroupService::stop() {
  const int32_t n = shard_.broker().config().offsets_topic_num_partitions;
  for (int32_t p = 0; p < n; ++p) {
    if (coordinator_->is_loaded(p)) coordinator_->unload(p);
  }
}

io::Task<void> GroupService::run() {
  Broker& broker = shard_.broker();
  int32_t n = broker.config().offsets_topic_num_partitions;
  for (int32_t p = 0; p < n; ++p) {
    if (broker.owner_of(kOffsetsTopic, p) != shard_.index()) continue;
    if (coordinator_->is_known(p) || shard_.led_partition(kOffsetsTopic, p) == nullptr) continue;
    coordinator_->begin_load(p);
    ++loading_;
    co_await load(p);
  }
  auto interval = std::chrono::milliseconds(std::max<int64_t>(100, broker.config().offsets_retention_check_interval_ms));
  while (!shard_.shutting_down()) {
    co_await shard_.stop_source().sleep_for(interval);
    if (shard_.shutting_down()) break;
    // Partitions whose topic went away (deleted) are no longer coordinated here.
    for (int32_t p = 0; p < n; ++p) {
      if (coordinator_->is_loaded(p) && shard_.partition(kOffsetsTopic, p) == nullptr) coordinator_->unload(p);
    }
    size_t expired = coordinator_->expire_offsets();
    if (expired > 0) RUNNEL_LOG(info, "expired %zu committed offsets", expired);
  }
}

}  // namespace runnel::server
