#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/model/uuid.h"

namespace runnel::server {

// Incremental fetch sessions (KIP-227). A consumer that fetches the same partitions over and
// over sends only what changed; the broker remembers the rest and answers only partitions with
// news. Sessions live on the core that holds the client's connection: a client that reconnects
// elsewhere gets FETCH_SESSION_ID_NOT_FOUND and starts a new one, as the protocol intends.
struct SessionPartition {
  std::string topic;
  Uuid topic_id;
  int32_t partition = 0;
  int64_t fetch_offset = 0;
  int32_t max_bytes = 0;
  int32_t current_leader_epoch = -1;
  // What the client was last told, to decide whether an incremental response must include it.
  int64_t last_high_watermark = -1;
  int64_t last_log_start_offset = -1;
  bool sent = false;
};

struct FetchSession {
  int32_t id = 0;
  int32_t next_epoch = 1;
  std::vector<SessionPartition> partitions;

  SessionPartition* find(const std::string& topic, int32_t partition);
  void remove(const std::string& topic, int32_t partition);
};

// A bounded cache (max.incremental.fetch.session.cache.slots, split across cores); the least
// recently used session is evicted when full, like Kafka's eviction of the least valuable one.
class FetchSessionCache {
 public:
  FetchSessionCache(int shard_index, int32_t total_slots);

  FetchSession* find(int32_t id);
  // nullptr when the cache has no slots at all (sessions disabled).
  FetchSession* create();
  void erase(int32_t id);
  size_t size() const { return sessions_.size(); }

 private:
  void touch(int32_t id);

  int shard_index_;
  size_t capacity_;
  std::unordered_map<int32_t, std::unique_ptr<FetchSession>> sessions_;
  std::list<int32_t> lru_;  // front = most recent
  std::unordered_map<int32_t, std::list<int32_t>::iterator> lru_pos_;
  uint32_t rng_;
};

// Kafka's epoch arithmetic: after INT32_MAX comes 1 (0 and -1 have special meanings).
inline int32_t next_session_epoch(int32_t epoch) { return epoch == INT32_MAX ? 1 : epoch + 1; }

}  // namespace runnel::server
