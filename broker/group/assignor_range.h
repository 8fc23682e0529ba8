#pragma once

// "range" (Kafka's server-side RangeAssignor): per topic, the subscribed members in member-id
// order each get one contiguous range of partitions, the first (partitions % members) members one
// more. Topics with equal partition counts and equal subscribers are therefore co-partitioned:
// a member gets the same partition numbers of each (joins of two topics keyed alike).

#include "broker/group/assignor_types.h"

namespace runnel::group {

class RangeAssignor final : public Assignor {
 public:
  std::string_view name() const override { return "range"; }
  AssignorOutput assign(const AssignorInput& in) const override;
};

}  // namespace runnel::group
