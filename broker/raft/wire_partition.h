#pragma once

// Internal to the wire adapter: the one-topic, one-partition shape of every KRaft RPC.

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "broker/raft/wire.h"

namespace runnel::raft::wire::detail {

// The partition of __cluster_metadata-0 in a KRaft message's Topics array, or null when the
// message names anything else. `Topic` has topic_name (or name) and partitions with
// partition_index (or partition / index); the accessors pick them.
template <typename Topic, typename Name, typename Index>
auto* metadata_partition(const std::vector<Topic>& topics, Name name_of, Index index_of) {
  using Partition = typename std::remove_cvref_t<decltype(topics.front().partitions.front())>;
  const Partition* none = nullptr;
  if (topics.size() != 1 || name_of(topics.front()) != kMetadataTopic) return none;
  if (topics.front().partitions.size() != 1) return none;
  const Partition& p = topics.front().partitions.front();
  return index_of(p) == kMetadataPartition ? &p : none;
}

// The usual case: fields named topic_name and partition_index.
template <typename Topic>
auto* metadata_partition(const std::vector<Topic>& topics) {
  return metadata_partition(
      topics, [](const Topic& t) -> const std::string& { return t.topic_name; },
      [](const auto& p) { return p.partition_index; });
}

// A one-entry Topics array for __cluster_metadata-0 with `partition`.
template <typename Topic, typename Partition>
std::vector<Topic> one_topic(Partition partition) {
  partition.partition_index = kMetadataPartition;
  Topic topic;
  topic.topic_name = std::string(kMetadataTopic);
  topic.partitions.push_back(std::move(partition));
  std::vector<Topic> topics;
  topics.push_back(std::move(topic));
  return topics;
}

// A response of the quorum RPCs: the top-level error alone (INCONSISTENT_CLUSTER_ID comes without
// a partition), else the partition's error and `fill(partition, out)` for its other fields.
template <typename Out, typename Wire, typename Fill>
Result<Out, WireError> response_from(const Wire& m, Out out, Fill fill) {
  if (m.error_code != 0) {
    out.error = static_cast<ErrorCode>(m.error_code);
    return out;
  }
  const auto* p = metadata_partition(m.topics);
  if (p == nullptr) return Unexpected(WireError::not_metadata_partition);
  out.error = static_cast<ErrorCode>(p->error_code);
  fill(*p, out);
  return out;
}

inline std::optional<std::string> cluster_id_to_wire(const std::string& id) {
  return id.empty() ? std::nullopt : std::optional<std::string>(id);
}

}  // namespace runnel::raft::wire::detail
