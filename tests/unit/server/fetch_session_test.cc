#include "broker/server/fetch_session.h"

#include <gtest/gtest.h>

#include <set>

namespace runnel::server {
namespace {

constexpr int64_t kMin = 60'000;

FetchPosition pos(const std::string& topic, int32_t partition, int64_t offset = 0) {
  return FetchPosition{topic, {}, partition, offset, 1 << 20, -1};
}

SessionRequest request(int32_t id, int32_t epoch, std::vector<FetchPosition> positions = {pos("t", 0)},
                       std::vector<FetchPosition> forgotten = {}) {
  SessionRequest r;
  r.id = id;
  r.epoch = epoch;
  r.positions = std::move(positions);
  r.forgotten = std::move(forgotten);
  return r;
}

// A session opened by a (0, 0) full fetch; returns its id.
int32_t open(FetchSessionCache& cache, int64_t now = 0, std::vector<FetchPosition> positions = {pos("t", 0)}) {
  SessionPlan p = cache.plan(request(0, 0, std::move(positions)), now);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_FALSE(p.incremental);
  return p.session_id;
}

// --- The (session id, epoch) table of fetch_session.h, row by row ---

TEST(FetchSessionTable, ZeroZeroCreatesASession) {
  FetchSessionCache cache(0, 1, 100);
  SessionPlan p = cache.plan(request(0, 0), 0);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_GT(p.session_id, 0);
  EXPECT_FALSE(p.incremental);
  ASSERT_EQ(p.reads.size(), 1u);
  ASSERT_NE(cache.find(p.session_id), nullptr);
  EXPECT_EQ(cache.find(p.session_id)->next_epoch, 1);
}

TEST(FetchSessionTable, ExistingIdWithEpochZeroClosesItAndCreatesANewSession) {
  FetchSessionCache cache(0, 1, 100);
  int32_t x = open(cache);
  ASSERT_EQ(cache.plan(request(x, 1), 1).error, ErrorCode::none);  // in use, next epoch 2
  SessionPlan p = cache.plan(request(x, 0), 2);
  EXPECT_EQ(p.error, ErrorCode::none);  // not INVALID_FETCH_SESSION_EPOCH: the bug this fixes
  EXPECT_FALSE(p.incremental);
  EXPECT_GT(p.session_id, 0);
  EXPECT_NE(p.session_id, x);
  EXPECT_EQ(cache.find(x), nullptr);
  EXPECT_EQ(cache.size(), 1u);
  // The new session continues at epoch 1.
  EXPECT_EQ(cache.plan(request(p.session_id, 1), 3).error, ErrorCode::none);
}

TEST(FetchSessionTable, UnknownIdWithEpochZeroStillCreatesASession) {
  FetchSessionCache cache(0, 1, 100);
  SessionPlan p = cache.plan(request(12345, 0), 0);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_GT(p.session_id, 0);
}

TEST(FetchSessionTable, ZeroMinusOneIsSessionless) {
  FetchSessionCache cache(0, 1, 100);
  SessionPlan p = cache.plan(request(0, -1), 0);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_EQ(p.session_id, 0);
  EXPECT_EQ(p.reads.size(), 1u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(FetchSessionTable, ExistingIdWithMinusOneClosesItAndIsSessionless) {
  FetchSessionCache cache(0, 1, 100);
  int32_t x = open(cache);
  SessionPlan p = cache.plan(request(x, -1), 1);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_EQ(p.session_id, 0);
  EXPECT_EQ(cache.find(x), nullptr);
  EXPECT_EQ(cache.plan(request(x, 1), 2).error, ErrorCode::fetch_session_id_not_found);
}

TEST(FetchSessionTable, IncrementalErrors) {
  FetchSessionCache cache(0, 1, 100);
  int32_t x = open(cache);
  EXPECT_EQ(cache.plan(request(x, 2), 1).error, ErrorCode::invalid_fetch_session_epoch);
  EXPECT_EQ(cache.plan(request(x, -2), 1).error, ErrorCode::invalid_fetch_session_epoch);
  EXPECT_EQ(cache.plan(request(x + 1, 1), 1).error, ErrorCode::fetch_session_id_not_found);
  EXPECT_EQ(cache.plan(request(-7, 1), 1).error, ErrorCode::fetch_session_id_not_found);
  EXPECT_EQ(cache.plan(request(0, 1), 1).error, ErrorCode::fetch_session_id_not_found);
  EXPECT_EQ(cache.plan(request(0, 5), 1).error, ErrorCode::fetch_session_id_not_found);
  // An error leaves the session as it was: the right epoch still works.
  SessionPlan p = cache.plan(request(x, 1), 1);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_TRUE(p.incremental);
  EXPECT_EQ(p.session_id, x);
}

TEST(FetchSessionTable, TopicIdUseMustMatchTheSession) {
  FetchSessionCache cache(0, 1, 100);
  int32_t x = open(cache);  // by name
  SessionRequest r = request(x, 1);
  r.uses_topic_ids = true;
  EXPECT_EQ(cache.plan(r, 1).error, ErrorCode::fetch_session_topic_id_error);
}

TEST(FetchSessionTable, IncrementalAddsUpdatesAndForgets) {
  FetchSessionCache cache(0, 1, 100);
  int32_t x = open(cache, 0, {pos("a", 0, 5), pos("a", 1)});
  SessionPlan p = cache.plan(request(x, 1, {pos("a", 0, 9), pos("b", 0)}, {pos("a", 1)}), 1);
  ASSERT_EQ(p.error, ErrorCode::none);
  ASSERT_EQ(p.reads.size(), 2u);
  EXPECT_EQ(p.reads[0].topic, "a");
  EXPECT_EQ(p.reads[0].fetch_offset, 9);
  EXPECT_EQ(p.reads[1].topic, "b");
  // Named and forgotten in one request: forgotten wins, as in Kafka.
  p = cache.plan(request(x, 2, {pos("c", 0)}, {pos("c", 0)}), 2);
  EXPECT_EQ(p.reads.size(), 2u);
}

TEST(FetchSessionTable, ASessionLeftEmptyIsClosedAndTheAnswerSessionless) {
  FetchSessionCache cache(0, 1, 100);
  int32_t x = open(cache);
  SessionPlan p = cache.plan(request(x, 1, {}, {pos("t", 0)}), 1);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_EQ(p.session_id, 0);
  EXPECT_TRUE(p.reads.empty());
  EXPECT_EQ(cache.find(x), nullptr);
}

TEST(FetchSessionTable, EpochWrapsToOne) {
  EXPECT_EQ(next_session_epoch(1), 2);
  EXPECT_EQ(next_session_epoch(INT32_MAX), 1);
  FetchSessionCache cache(0, 1, 100);
  int32_t x = open(cache);
  cache.find(x)->next_epoch = INT32_MAX;
  EXPECT_EQ(cache.plan(request(x, INT32_MAX), 1).error, ErrorCode::none);
  EXPECT_EQ(cache.find(x)->next_epoch, 1);
}

// --- What an incremental response carries ---

TEST(FetchSessionReport, IncrementalOmitsPartitionsWithoutNews) {
  FetchSessionCache cache(0, 1, 100);
  SessionPlan full = cache.plan(request(0, 0, {pos("t", 0), pos("t", 1)}), 0);
  std::vector<PartitionReport> r = {{"t", 0, ErrorCode::none, 5, 0, 100}, {"t", 1, ErrorCode::none, 0, 0, 0}};
  EXPECT_EQ(cache.report(full.session_id, false, r), (std::vector<bool>{true, true}));  // full: all
  cache.plan(request(full.session_id, 1, {}), 1);
  r = {{"t", 0, ErrorCode::none, 5, 0, 0}, {"t", 1, ErrorCode::none, 0, 0, 0}};
  EXPECT_EQ(cache.report(full.session_id, true, r), (std::vector<bool>{false, false}));
  r = {{"t", 0, ErrorCode::none, 6, 0, 0}, {"t", 1, ErrorCode::none, 0, 1, 0}};  // hw, log start moved
  EXPECT_EQ(cache.report(full.session_id, true, r), (std::vector<bool>{true, true}));
  r = {{"t", 0, ErrorCode::offset_out_of_range, 6, 0, 0}, {"t", 1, ErrorCode::none, 0, 1, 10}};
  EXPECT_EQ(cache.report(full.session_id, true, r), (std::vector<bool>{true, true}));
  // After an error, the same high watermark is news again (the client must hear the error is gone).
  r = {{"t", 0, ErrorCode::none, 6, 0, 0}, {"t", 1, ErrorCode::none, 0, 1, 0}};
  EXPECT_EQ(cache.report(full.session_id, true, r), (std::vector<bool>{true, false}));
  // A session gone meanwhile: everything is sent.
  cache.close(full.session_id);
  EXPECT_EQ(cache.report(full.session_id, true, r), (std::vector<bool>{true, true}));
}

// --- Placement and eviction ---

TEST(FetchSessionCache, IdsArePositiveUniqueAndHomedOnTheirCore) {
  for (int core = 0; core < 3; ++core) {
    FetchSessionCache cache(core, 3, 600);
    std::set<int32_t> ids;
    for (int i = 0; i < 150; ++i) {
      FetchSession* s = cache.create(false, 1, 0);
      ASSERT_NE(s, nullptr);
      EXPECT_GT(s->id, 0);
      EXPECT_EQ(FetchSessionCache::home_of(s->id, 3), core);
      ids.insert(s->id);
    }
    EXPECT_EQ(ids.size(), 150u);
    EXPECT_EQ(cache.capacity(), 200u);  // the slots are split across the cores
  }
}

TEST(FetchSessionCache, ZeroSlotsDisablesSessions) {
  FetchSessionCache cache(0, 2, 0);
  EXPECT_EQ(cache.create(false, 1, 0), nullptr);
  SessionPlan p = cache.plan(request(0, 0), 0);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_EQ(p.session_id, 0);  // answered sessionless
}

TEST(FetchSessionCache, FullCacheKeepsYoungSessionsAndAnswersSessionless) {
  FetchSessionCache cache(0, 1, 2, kMin);
  int32_t a = open(cache, 0);
  int32_t b = open(cache, 0);
  // Young sessions of the same size are not evicted: the newcomer goes sessionless, so two
  // clients can never evict each other back and forth.
  SessionPlan p = cache.plan(request(0, 0), 10);
  EXPECT_EQ(p.error, ErrorCode::none);
  EXPECT_EQ(p.session_id, 0);
  EXPECT_NE(cache.find(a), nullptr);
  EXPECT_NE(cache.find(b), nullptr);
}

TEST(FetchSessionCache, EvictsAStaleSessionFirst) {
  FetchSessionCache cache(0, 1, 2, kMin);
  int32_t a = open(cache, 0);
  int32_t b = open(cache, 0);
  ASSERT_EQ(cache.plan(request(b, 1), kMin).error, ErrorCode::none);  // b used recently
  int32_t c = open(cache, kMin + 10);  // a unused for longer than the eviction time
  EXPECT_GT(c, 0);
  EXPECT_EQ(cache.find(a), nullptr);
  EXPECT_NE(cache.find(b), nullptr);
}

TEST(FetchSessionCache, OldSessionsGiveWayToBiggerOnes) {
  FetchSessionCache cache(0, 1, 2, kMin);
  int32_t small = open(cache, 0, {pos("t", 0)});
  int32_t big = open(cache, 0, {pos("t", 0), pos("t", 1), pos("t", 2)});
  // Both used recently (not stale) but older than the eviction time.
  cache.plan(request(small, 1), 2 * kMin);
  cache.plan(request(big, 1), 2 * kMin);
  // Same size as the smallest: not more valuable, no session.
  EXPECT_EQ(open(cache, 2 * kMin + 1, {pos("u", 0)}), 0);
  // Bigger than the smallest: it takes that one's place.
  int32_t mid = open(cache, 2 * kMin + 2, {pos("u", 0), pos("u", 1)});
  EXPECT_GT(mid, 0);
  EXPECT_EQ(cache.find(small), nullptr);
  EXPECT_NE(cache.find(big), nullptr);
}

TEST(FetchSessionCache, PrivilegedSessionsEvictYoungConsumerSessions) {
  FetchSessionCache cache(0, 1, 1, kMin);
  int32_t consumer = open(cache, 0);
  FetchSession* follower = cache.create(true, 1, 1);
  ASSERT_NE(follower, nullptr);
  EXPECT_EQ(cache.find(consumer), nullptr);
  // ...but not each other while young.
  EXPECT_EQ(cache.create(true, 1, 2), nullptr);
}

TEST(FetchSession, FindAndRemovePartitions) {
  FetchSession s;
  s.partitions.push_back({pos("a", 0)});
  s.partitions.push_back({pos("a", 1)});
  s.partitions.push_back({pos("b", 0)});
  ASSERT_NE(s.find("a", 1), nullptr);
  s.remove("a", 1);
  EXPECT_EQ(s.find("a", 1), nullptr);
  EXPECT_NE(s.find("b", 0), nullptr);
  EXPECT_EQ(s.partitions.size(), 2u);
}

}  // namespace
}  // namespace runnel::server
