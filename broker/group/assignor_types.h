#pragma once

// Server-side partition assignors of the consumer group protocol (KIP-848): the input the group
// coordinator hands an assignor and the target assignment it gets back. Assignors are pure
// functions of their input, so the same members, subscriptions and previous target always give
// the same result (unit-tested in tests/unit/group_consumer/).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/model/uuid.h"

namespace runnel::group {

// Partitions per topic id. Ordered so that records and responses encode deterministically.
using Assignment = std::map<Uuid, std::set<int32_t>>;

size_t partition_count(const Assignment& a);
bool contains(const Assignment& a, const Uuid& topic, int32_t partition);
// Every partition of `sub` is also in `super`.
bool is_subset(const Assignment& sub, const Assignment& super);

struct AssignorMember {
  std::string id;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::set<Uuid> topics;   // subscribed topics that exist
  Assignment previous;     // the member's current target (stickiness)
};

struct AssignorInput {
  std::vector<AssignorMember> members;   // sorted by member id
  std::map<Uuid, int32_t> topics;        // partition count of every subscribed topic
};

using AssignorOutput = std::map<std::string, Assignment>;  // member id -> target

class Assignor {
 public:
  virtual ~Assignor() = default;
  virtual std::string_view name() const = 0;
  // Every member of the input has an entry in the output (possibly empty); every partition of
  // a subscribed topic goes to exactly one member that subscribes to it.
  virtual AssignorOutput assign(const AssignorInput& in) const = 0;
};

// The built-in assignors by Kafka's short names ("uniform", "range"); nullptr if unknown.
const Assignor* find_assignor(std::string_view name);

}  // namespace runnel::group
