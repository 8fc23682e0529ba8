#pragma once

// The records the group coordinator writes to __consumer_offsets (see FORMAT.md): one key per
// committed partition offset and one per group, latest value wins, a null value (tombstone)
// deletes. Keys are what log compaction will deduplicate on, so equal keys must encode to
// equal bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace runnel::group {

struct OffsetKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
};

struct OffsetValue {
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int64_t commit_timestamp_ms = 0;
};

struct GroupKey {
  std::string group;
};

struct MemberValue {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::vector<uint8_t> subscription;  // the member's metadata for the selected protocol
  std::vector<uint8_t> assignment;
};

struct GroupValue {
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader;
  int64_t state_timestamp_ms = 0;
  std::vector<MemberValue> members;
};

using RecordKey = std::variant<OffsetKey, GroupKey>;

std::string encode_key(const OffsetKey& k);
std::string encode_key(const GroupKey& k);
std::string encode_value(const OffsetValue& v);
std::string encode_value(const GroupValue& v);

// nullopt on bytes that are not a key/value of a known type and version (they are skipped on
// load, so a newer broker's records do not stop an older one from starting).
std::optional<RecordKey> decode_key(std::string_view bytes);
std::optional<OffsetValue> decode_offset_value(std::string_view bytes);
std::optional<GroupValue> decode_group_value(std::string_view bytes);

// One record as handed to the journal: a null value is a tombstone.
struct JournalRecord {
  std::string key;
  std::optional<std::string> value;
};

}  // namespace runnel::group
