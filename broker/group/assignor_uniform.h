#pragma once

// "uniform" (Kafka's UniformAssignor, the default): spreads partitions so that member partition
// counts differ by at most one wherever subscriptions allow it, and moves as few partitions as
// possible away from their previous owner (sticky).

#include "broker/group/assignor_types.h"

namespace runnel::group {

class UniformAssignor final : public Assignor {
 public:
  std::string_view name() const override { return "uniform"; }
  AssignorOutput assign(const AssignorInput& in) const override;
};

}  // namespace runnel::group
