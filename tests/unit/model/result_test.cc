#include "broker/model/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace runnel {
namespace {

enum class Errc : uint8_t { none, closed, full };

Result<int, Errc> half(int v) {
  if (v % 2 != 0) return Unexpected(Errc::full);
  return v / 2;
}

TEST(Result, HoldsAValue) {
  Result<int, Errc> r = half(8);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 4);
  EXPECT_EQ(*r, 4);
  EXPECT_EQ(r.value_or(-1), 4);
}

TEST(Result, HoldsAnError) {
  Result<int, Errc> r = half(3);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Errc::full);
  EXPECT_EQ(r.value_or(-1), -1);
}

TEST(Result, SameTypeForValueAndErrorStaysApart) {
  Result<int, int> ok = 7;
  Result<int, int> bad = Unexpected(7);
  EXPECT_TRUE(ok.has_value());
  EXPECT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), 7);
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>, std::string> r = std::make_unique<int>(5);
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
}

TEST(Result, ErrorConvertsFromItsSourceType) {
  Result<int, std::string> r = Unexpected("no such file");  // const char* -> std::string
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), "no such file");
  EXPECT_EQ(std::move(r).error(), "no such file");
}

TEST(Result, ArrowReachesMembers) {
  Result<std::string, Errc> r = std::string("abc");
  EXPECT_EQ(r->size(), 3u);
}

TEST(Result, VoidIsSuccessOrError) {
  Result<void, Errc> ok;
  Result<void, Errc> bad = Unexpected(Errc::closed);
  EXPECT_TRUE(ok.has_value());
  ok.value();
  EXPECT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), Errc::closed);
}

TEST(Result, EnumErrorsStaySmall) {
  // The produce and fetch paths return these per batch: no allocation, no indirection.
  EXPECT_LE(sizeof(Result<int64_t, Errc>), 2 * sizeof(int64_t));
  EXPECT_LE(sizeof(Result<void, Errc>), 2u);
}

TEST(ResultDeathTest, ValueOfAnErrorAsserts) {
  Result<int, Errc> r = Unexpected(Errc::closed);
  EXPECT_DEATH((void)r.value(), "Result::value\\(\\) on an error");
}

TEST(ResultDeathTest, ErrorOfAValueAsserts) {
  Result<int, Errc> r = 1;
  EXPECT_DEATH((void)r.error(), "Result::error\\(\\) on a value");
}

}  // namespace
}  // namespace runnel
