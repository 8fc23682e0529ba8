#include "broker/server/fetch_session.h"

#include <gtest/gtest.h>

#include <set>

namespace runnel::server {
namespace {

TEST(FetchSessionCache, CreatesUniquePositiveIdsAndFindsThem) {
  FetchSessionCache cache(0, 200);  // 100 slots on this core
  std::set<int32_t> ids;
  for (int i = 0; i < 50; ++i) {
    FetchSession* s = cache.create();
    ASSERT_NE(s, nullptr);
    EXPECT_GT(s->id, 0);
    ids.insert(s->id);
  }
  EXPECT_EQ(ids.size(), 50u);
  for (int32_t id : ids) EXPECT_NE(cache.find(id), nullptr);
  EXPECT_EQ(cache.find(-5), nullptr);
}

TEST(FetchSessionCache, EvictsLeastRecentlyUsedWhenFull) {
  FetchSessionCache cache(0, 4);  // 2 slots on this core
  int32_t a = cache.create()->id;
  int32_t b = cache.create()->id;
  ASSERT_NE(cache.find(a), nullptr);  // a is now more recent than b
  int32_t c = cache.create()->id;
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.find(a), nullptr);
  EXPECT_EQ(cache.find(b), nullptr);
  EXPECT_NE(cache.find(c), nullptr);
}

TEST(FetchSessionCache, ZeroSlotsDisablesSessions) {
  FetchSessionCache cache(0, 0);
  EXPECT_EQ(cache.create(), nullptr);
}

TEST(FetchSession, EpochWrapsToOne) {
  EXPECT_EQ(next_session_epoch(1), 2);
  EXPECT_EQ(next_session_epoch(INT32_MAX), 1);
}

TEST(FetchSession, FindAndRemovePartitions) {
  FetchSession s;
  s.partitions.push_back({"a", {}, 0});
  s.partitions.push_back({"a", {}, 1});
  s.partitions.push_back({"b", {}, 0});
  ASSERT_NE(s.find("a", 1), nullptr);
  s.remove("a", 1);
  EXPECT_EQ(s.find("a", 1), nullptr);
  EXPECT_NE(s.find("b", 0), nullptr);
  EXPECT_EQ(s.partitions.size(), 2u);
}

}  // namespace
}  // namespace runnel::server
