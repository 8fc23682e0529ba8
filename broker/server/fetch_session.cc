#include "broker/server/fetch_session.h"

#include <algorithm>
#include <chrono>

namespace runnel::server {

SessionPartition* FetchSession::find(const std::string& topic, int32_t partition) {
  for (auto& p : partitions) {
    if (p.partition == partition && p.topic == topic) return &p;
  }
  return nullptr;
}

void FetchSession::remove(const std::string& topic, int32_t partition) {
  partitions.erase(std::remove_if(partitions.begin(), partitions.end(),
                                  [&](const SessionPartition& p) { return p.partition == partition && p.topic == topic; }),
                   partitions.end());
}

FetchSessionCache::FetchSessionCache(int shard_index, int32_t total_slots)
    : shard_index_(shard_index), capacity_(total_slots <= 0 ? 0 : static_cast<size_t>(std::max(1, total_slots / 2))),
      rng_(static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
           static_cast<uint32_t>(shard_index * 2654435761u)) {}

FetchSession* FetchSessionCache::find(int32_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  touch(id);
  return it->second.get();
}

FetchSession* FetchSessionCache::create() {
  if (capacity_ == 0) return nullptr;
  while (sessions_.size() >= capacity_ && !lru_.empty()) erase(lru_.back());
  int32_t id;
  do {
    rng_ = rng_ * 1664525u + 1013904223u;
    id = static_cast<int32_t>(rng_ & 0x7fffffff);
  } while (id == 0 || sessions_.count(id) != 0);
  auto s = std::make_unique<FetchSession>();
  s->id = id;
  FetchSession* raw = s.get();
  sessions_.emplace(id, std::move(s));
  lru_.push_front(id);
  lru_pos_[id] = lru_.begin();
  return raw;
}

void FetchSessionCache::erase(int32_t id) {
  sessions_.erase(id);
  auto it = lru_pos_.find(id);
  if (it != lru_pos_.end()) {
    lru_.erase(it->second);
    lru_pos_.erase(it);
  }
}

void FetchSessionCache::touch(int32_t id) {
  auto it = lru_pos_.find(id);
  if (it == lru_pos_.end()) return;
  lru_.splice(lru_.begin(), lru_, it->second);
}

}  // namespace runnel::server
