#pragma once

#include <cstdint>
#include <string_view>

namespace runnel::group {

// Java's String.hashCode() over the UTF-16 code units of `s` (given as UTF-8). Kafka places a
// group on __consumer_offsets partition abs(hashCode(groupId)) % partitions, so clients,
// tools and a future multi-broker cluster agree with Kafka on which partition holds a group.
int32_t java_string_hash(std::string_view utf8);

// Utils.abs (x & 0x7fffffff, not Math.abs) of the hash, modulo the partition count.
inline int32_t offsets_partition_for(std::string_view group_id, int32_t partitions) {
  return (java_string_hash(group_id) & 0x7fffffff) % partitions;
}

}  // namespace runnel::group
