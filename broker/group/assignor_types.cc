#include "broker/group/assignor_types.h"

#include "broker/group/assignor_range.h"
#include "broker/group/assignor_uniform.h"

namespace runnel::group {

size_t partition_count(const Assignment& a) {
  size_t n = 0;
  for (const auto& [t, ps] : a) n += ps.size();
  return n;
}

bool contains(const Assignment& a, const Uuid& topic, int32_t partition) {
  auto it = a.find(topic);
  return it != a.end() && it->second.count(partition) != 0;
}

bool is_subset(const Assignment& sub, const Assignment& super) {
  for (const auto& [t, ps] : sub)
    for (int32_t p : ps)
      if (!contains(super, t, p)) return false;
  return true;
}

const Assignor* find_assignor(std::string_view name) {
  static const UniformAssignor uniform;
  static const RangeAssignor range;
  if (name == uniform.name()) return &uniform;
  if (name == range.name()) return &range;
  return nullptr;
}

}  // namespace runnel::group
