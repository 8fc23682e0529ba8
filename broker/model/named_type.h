#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <vector>

namespace runnel {

// A value with a distinct type per meaning, so an offset can never be passed where a leader
// epoch is expected. Arithmetic is explicit: unwrap with value(), compute, wrap again.
template <typename T, typename Tag>
class NamedType {
 public:
  using value_type = T;
  constexpr NamedType() = default;
  constexpr explicit NamedType(T v) : v_(v) {}
  constexpr T value() const { return v_; }
  constexpr auto operator<=>(const NamedType&) const = default;

 private:
  T v_{};
};

using Offset = NamedType<int64_t, struct OffsetTag>;
using LeaderEpoch = NamedType<int32_t, struct LeaderEpochTag>;
using NodeId = NamedType<int32_t, struct NodeIdTag>;
using PartitionId = NamedType<int32_t, struct PartitionIdTag>;
using ProducerId = NamedType<int64_t, struct ProducerIdTag>;
using ProducerEpoch = NamedType<int16_t, struct ProducerEpochTag>;

// Lists cross the wire as raw values (replica and ISR node ids): converted at the edge.
template <typename N>
std::vector<N> wrap_all(const std::vector<typename N::value_type>& raw) {
  return std::vector<N>(raw.begin(), raw.end());
}
template <typename N>
std::vector<typename N::value_type> values_of(const std::vector<N>& ids) {
  std::vector<typename N::value_type> out;
  out.reserve(ids.size());
  for (const N& id : ids) out.push_back(id.value());
  return out;
}

}  // namespace runnel

template <typename T, typename Tag>
struct std::hash<runnel::NamedType<T, Tag>> {
  size_t operator()(const runnel::NamedType<T, Tag>& v) const noexcept { return std::hash<T>{}(v.value()); }
};
