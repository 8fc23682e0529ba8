#include "broker/model/named_type.h"

#include <gtest/gtest.h>

#include <type_traits>
#include <unordered_set>

namespace runnel {
namespace {

TEST(NamedType, KindsDoNotMix) {
  static_assert(!std::is_convertible_v<int32_t, NodeId>, "a raw value needs an explicit wrap");
  static_assert(!std::is_convertible_v<LeaderEpoch, NodeId>, "an epoch is never a node id");
  EXPECT_LT(NodeId(1), NodeId(2));
  EXPECT_EQ(std::unordered_set<ProducerId>({ProducerId(7), ProducerId(7)}).size(), 1u);
}

TEST(NamedType, ListsConvertAtTheEdge) {
  const std::vector<NodeId> ids = wrap_all<NodeId>({3, 1, 2});
  EXPECT_EQ(ids, (std::vector<NodeId>{NodeId(3), NodeId(1), NodeId(2)}));
  EXPECT_EQ(values_of(ids), (std::vector<int32_t>{3, 1, 2}));
}

}  // namespace
}  // namespace runnel
