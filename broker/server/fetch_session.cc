#include "broker/server/fetch_session.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "broker/model/assert.h"

namespace runnel::server {

SessionPartition* FetchSession::find(std::string_view topic, int32_t partition) {
  for (auto& p : partitions) {
    if (p.position.partition == partition && p.position.topic == topic) return &p;
  }
  return nullptr;
}

void FetchSession::remove(std::string_view topic, int32_t partition) {
  std::erase_if(partitions, [&](const SessionPartition& p) {
    return p.position.partition == partition && p.position.topic == topic;
  });
}

FetchSessionCache::FetchSessionCache(int shard_index, int shard_count, int32_t total_slots, int64_t eviction_ms)
    : shard_index_(shard_index),
      shard_count_(std::max(1, shard_count)),
      capacity_(total_slots <= 0 ? 0 : static_cast<size_t>(std::max(1, total_slots / std::max(1, shard_count)))),
      eviction_ms_(eviction_ms),
      rng_(static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
           static_cast<uint32_t>(shard_index * 2654435761u)) {
  RUNNEL_ASSERT(shard_index >= 0 && shard_index < shard_count_, "shard %d of %d", shard_index, shard_count_);
}

SessionPlan FetchSessionCache::plan(const SessionRequest& req, int64_t now_ms) {
  SessionPlan out;
  if (is_full_fetch(req.epoch)) {
    // The id of a full fetch only names a session to close (closed on its home by the caller
    // when that is another core; close() is then a no-op here).
    if (req.id != 0) close(req.id);
    out.reads = req.positions;
    if (req.epoch == 0) {
      if (FetchSession* s = create(req.privileged, req.positions.size(), now_ms)) {
        s->uses_topic_ids = req.uses_topic_ids;
        for (const FetchPosition& p : req.positions) {
          if (s->find(p.topic, p.partition) == nullptr) s->partitions.push_back(SessionPartition{p});
        }
        out.session_id = s->id;
      }
    }
    return out;
  }

  FetchSession* s = req.id != 0 ? find(req.id) : nullptr;
  if (s == nullptr) {
    out.error = ErrorCode::fetch_session_id_not_found;
    return out;
  }
  if (s->next_epoch != req.epoch) {
    out.error = ErrorCode::invalid_fetch_session_epoch;
    return out;
  }
  if (s->uses_topic_ids != req.uses_topic_ids) {
    out.error = ErrorCode::fetch_session_topic_id_error;
    return out;
  }
  // Kafka's order: the named partitions are added or updated first, then the forgotten removed.
  for (const FetchPosition& p : req.positions) {
    if (SessionPartition* sp = s->find(p.topic, p.partition)) {
      sp->position = p;
    } else {
      s->partitions.push_back(SessionPartition{p});
    }
  }
  for (const FetchPosition& f : req.forgotten) s->remove(f.topic, f.partition);
  touch(*s, now_ms);
  if (s->partitions.empty()) {
    close(s->id);  // nothing left to remember: answer sessionless, as Kafka does
    return out;
  }
  s->next_epoch = next_session_epoch(req.epoch);
  out.session_id = s->id;
  out.incremental = true;
  out.reads.reserve(s->partitions.size());
  for (const SessionPartition& sp : s->partitions) out.reads.push_back(sp.position);
  return out;
}

std::vector<bool> FetchSessionCache::report(int32_t session_id, bool incremental,
                                            const std::vector<PartitionReport>& reports) {
  std::vector<bool> keep(reports.size(), true);
  auto it = session_id != 0 ? sessions_.find(session_id) : sessions_.end();
  if (it == sessions_.end()) return keep;
  FetchSession& s = *it->second;
  for (size_t i = 0; i < reports.size(); ++i) {
    const PartitionReport& r = reports[i];
    SessionPartition* sp = s.find(r.topic, r.partition);
    if (sp == nullptr) continue;
    bool news = r.record_bytes > 0 || r.error != ErrorCode::none || sp->last_high_watermark != r.high_watermark ||
                sp->last_log_start_offset != r.log_start_offset;
    // After an error, -1 makes the partition be sent again once the error is gone.
    sp->last_high_watermark = r.error != ErrorCode::none ? -1 : r.high_watermark;
    sp->last_log_start_offset = r.log_start_offset;
    if (incremental) keep[i] = news;
  }
  return keep;
}

FetchSession* FetchSessionCache::find(int32_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

bool FetchSessionCache::close(int32_t id) {
  if (sessions_.erase(id) == 0) return false;
  auto it = lru_pos_.find(id);
  RUNNEL_ASSERT(it != lru_pos_.end(), "session %d missing from the LRU list", id);
  lru_.erase(it->second);
  lru_pos_.erase(it);
  return true;
}

FetchSession* FetchSessionCache::create(bool privileged, size_t partitions, int64_t now_ms) {
  if (capacity_ == 0) return nullptr;
  if (sessions_.size() >= capacity_ && !try_evict(privileged, partitions, now_ms)) return nullptr;
  RUNNEL_ASSERT(sessions_.size() < capacity_, "session cache over capacity: %zu >= %zu", sessions_.size(), capacity_);
  auto s = std::make_unique<FetchSession>();
  s->id = new_id();
  s->privileged = privileged;
  s->creation_ms = now_ms;
  FetchSession* raw = s.get();
  sessions_.emplace(raw->id, std::move(s));
  lru_.push_front(raw->id);
  lru_pos_[raw->id] = lru_.begin();
  raw->last_used_ms = now_ms;
  return raw;
}

int32_t FetchSessionCache::new_id() {
  // A positive id whose remainder by the core count is this core: home_of() finds it again.
  int32_t id;
  do {
    rng_ = rng_ * 1664525u + 1013904223u;
    int32_t r = static_cast<int32_t>(rng_ & 0x3fffffff);  // 30 bits: adding the core cannot overflow
    id = r - r % shard_count_ + shard_index_;
  } while (id <= 0 || sessions_.count(id) != 0);
  RUNNEL_ASSERT(home_of(id, shard_count_) == shard_index_, "session id %d not homed on %d", id, shard_index_);
  return id;
}

void FetchSessionCache::touch(FetchSession& s, int64_t now_ms) {
  s.last_used_ms = now_ms;
  auto it = lru_pos_.find(s.id);
  RUNNEL_ASSERT(it != lru_pos_.end(), "session %d missing from the LRU list", s.id);
  lru_.splice(lru_.begin(), lru_, it->second);
}

bool FetchSessionCache::try_evict(bool privileged, size_t partitions, int64_t now_ms) {
  if (lru_.empty()) return false;
  // A session nobody used for the eviction time is stale: it goes first.
  FetchSession& oldest = *sessions_.at(lru_.back());
  if (now_ms - oldest.last_used_ms > eviction_ms_) return close(oldest.id);
  // Else the least valuable session that may be evicted at all: a young session only by a
  // privileged newcomer, and only if it is not privileged itself.
  auto key = [](const FetchSession& s) { return std::tuple(s.privileged, s.partitions.size(), s.id); };
  FetchSession* victim = nullptr;
  for (auto& [id, s] : sessions_) {
    bool old = now_ms - s->creation_ms > eviction_ms_;
    bool evictable = privileged ? (!s->privileged || old) : old;
    if (evictable && (victim == nullptr || key(*s) < key(*victim))) victim = s.get();
  }
  if (victim == nullptr) return false;
  // The newcomer (id 0) must be worth more: privileged over not, then more partitions.
  if (std::tuple(privileged, partitions, int32_t{0}) < key(*victim)) return false;
  return close(victim->id);
}

}  // namespace runnel::server
