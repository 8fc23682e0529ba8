#include "broker/group/assignor_range.h"

namespace runnel::group {

AssignorOutput RangeAssignor::assign(const AssignorInput& in) const {
  AssignorOutput out;
  for (const AssignorMember& m : in.members) out[m.id];
  for (const auto& [topic, partitions] : in.topics) {
    std::vector<const AssignorMember*> subs;  // in member-id order: the input is sorted
    for (const AssignorMember& m : in.members)
      if (m.topics.count(topic) != 0) subs.push_back(&m);
    if (subs.empty()) continue;
    int32_t n = static_cast<int32_t>(subs.size());
    int32_t per = partitions / n, extra = partitions % n, next = 0;
    for (int32_t i = 0; i < n; ++i) {
      int32_t len = per + (i < extra ? 1 : 0);
      for (int32_t p = next; p < next + len; ++p) out[subs[static_cast<size_t>(i)]->id][topic].insert(p);
      next += len;
    }
  }
  return out;
}

}  // namespace runnel::group
