#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/model/error_code.h"
#include "broker/model/uuid.h"

namespace runnel::server {

// Incremental fetch sessions (KIP-227). A consumer that fetches the same partitions over and
// over sends only what changed; the broker remembers the rest and answers only partitions with
// news.
//
// What a Fetch request's (session id, epoch) means, exactly as Kafka's FetchManager decides it
// (the raw-wire tests in tests/integration/test_fetch_sessions_raw.py run every row against
// Apache Kafka and against Runnel):
//
//   | session id | epoch          | meaning                                                     |
//   |------------|----------------|-------------------------------------------------------------|
//   | 0          | 0              | full fetch; a new session is created if the cache has room  |
//   |            |                | (else the answer carries session id 0: sessionless)         |
//   | X          | 0              | full fetch; session X is closed if present, and a new       |
//   |            |                | session is created as for (0, 0). This is how franz-go      |
//   |            |                | resets; treating it as incremental made it loop forever.    |
//   | 0          | -1             | sessionless full fetch; the answer carries session id 0     |
//   | X          | -1             | sessionless full fetch; session X is closed if present      |
//   | X          | n (not 0, -1)  | incremental: FETCH_SESSION_ID_NOT_FOUND when X is unknown,  |
//   |            |                | INVALID_FETCH_SESSION_EPOCH when n is not X's next epoch,   |
//   |            |                | FETCH_SESSION_TOPIC_ID_ERROR when the request's use of      |
//   |            |                | topic ids (v13+) differs from the session's; a session left |
//   |            |                | with no partitions is closed and the answer is sessionless  |
//   | 0          | n (not 0, -1)  | incremental on no session: FETCH_SESSION_ID_NOT_FOUND       |
//
// Epoch 0 and -1 are what make a fetch full; the id only names a session to close. Every error
// above tells the client to send a full fetch next, which always succeeds: no error this table
// returns can repeat for a client that reacts as Kafka documents.
//
// Placement: a session lives on one core, its home, encoded in its id (id % cores). A request
// naming a session whose home is another core is served there by a hop (Router::plan_session), so a
// session is found whichever core the client's connection landed on. New sessions are created on
// the core that received the full fetch.

// Where a fetch for one partition starts, as the request (or the session) says.
struct FetchPosition {
  std::string topic;
  Uuid topic_id;
  int32_t partition = 0;
  int64_t fetch_offset = 0;
  int32_t max_bytes = 0;
  int32_t current_leader_epoch = -1;
};

struct SessionPartition {
  FetchPosition position;
  // What the client was last told; -1 means "send this partition in the next response" (a new
  // partition, or one whose last answer was an error), as Kafka's cached partitions do.
  int64_t last_high_watermark = -1;
  int64_t last_log_start_offset = -1;
};

struct FetchSession {
  int32_t id = 0;
  int32_t next_epoch = 1;
  bool privileged = false;  // a follower's session (replica fetches); outranks consumers
  bool uses_topic_ids = false;
  int64_t creation_ms = 0;
  int64_t last_used_ms = 0;
  std::vector<SessionPartition> partitions;

  SessionPartition* find(std::string_view topic, int32_t partition);
  void remove(std::string_view topic, int32_t partition);
};

// The session part of one Fetch request.
struct SessionRequest {
  int32_t id = 0;
  int32_t epoch = -1;
  bool uses_topic_ids = false;  // Fetch v13+
  bool privileged = false;
  // The partitions the request names (added or updated) and the ones it forgets.
  std::vector<FetchPosition> positions;
  std::vector<FetchPosition> forgotten;  // topic and partition used
};

// What the session step decided for one request.
struct SessionPlan {
  ErrorCode error = ErrorCode::none;  // a top-level error: answer it and read nothing
  int32_t session_id = 0;             // the id the response carries; 0 = sessionless
  bool incremental = false;           // the response may omit partitions with no news
  std::vector<FetchPosition> reads;   // every partition to read, in response order
};

// What a response says of one partition, reported back so that the session remembers it.
struct PartitionReport {
  std::string_view topic;  // points into the request's targets, alive across the hop
  int32_t partition = 0;
  ErrorCode error = ErrorCode::none;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  size_t record_bytes = 0;
};

// A bounded cache per core (max.incremental.fetch.session.cache.slots, split evenly across the
// cores). When full, it evicts as Kafka's FetchSessionCache does: first a session unused for
// longer than the eviction time; else the least valuable session (non-privileged first, then
// fewest partitions) among those old enough to be evicted, and only if the new session is more
// valuable. Otherwise the new session is not created and the fetch is answered sessionless, so
// two clients never evict each other's young sessions in a loop.
class FetchSessionCache {
 public:
  // Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS.
  static constexpr int64_t kDefaultEvictionMs = 120'000;

  FetchSessionCache(int shard_index, int shard_count, int32_t total_slots,
                    int64_t eviction_ms = kDefaultEvictionMs);

  // The core a session id lives on (ids are positive).
  static int home_of(int32_t id, int shard_count) { return static_cast<int>(id % shard_count); }
  static bool is_full_fetch(int32_t epoch) { return epoch == 0 || epoch == -1; }

  // The table above, for a request on the session's home core (for a full fetch: the core that
  // creates the new session; the named session is closed by close() on its own home first).
  SessionPlan plan(const SessionRequest& req, int64_t now_ms);
  // After the reads: which of `reports` an incremental response must carry (all of them for a
  // full one), remembering what is sent. A session gone meanwhile (evicted) keeps them all.
  std::vector<bool> report(int32_t session_id, bool incremental, const std::vector<PartitionReport>& reports);

  // Closes a session; false if it was not here.
  bool close(int32_t id);
  FetchSession* find(int32_t id);
  // nullptr when there is no room (see the class comment) or no slots at all.
  FetchSession* create(bool privileged, size_t partitions, int64_t now_ms);
  size_t size() const { return sessions_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  void touch(FetchSession& s, int64_t now_ms);
  bool try_evict(bool privileged, size_t partitions, int64_t now_ms);
  int32_t new_id();

  int shard_index_;
  int shard_count_;
  size_t capacity_;
  int64_t eviction_ms_;
  std::unordered_map<int32_t, std::unique_ptr<FetchSession>> sessions_;
  std::list<int32_t> lru_;  // front = most recently used
  std::unordered_map<int32_t, std::list<int32_t>::iterator> lru_pos_;
  uint32_t rng_;
};

// Kafka's epoch arithmetic: after INT32_MAX comes 1 (0 and -1 have special meanings).
inline int32_t next_session_epoch(int32_t epoch) { return epoch == INT32_MAX ? 1 : epoch + 1; }

}  // namespace runnel::server
