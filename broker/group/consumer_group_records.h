#pragma once

// The __consumer_offsets records of consumer-protocol groups (FORMAT.md, key types 3 and 5-8;
// the same split as Kafka's ConsumerGroup* records so that each piece compacts on its own key):
//
//   3 group metadata         (group)         -> group epoch, subscribed topic metadata
//   5 member metadata        (group, member) -> who the member is and what it subscribes to
//   6 target metadata        (group)         -> assignment epoch
//   7 target member          (group, member) -> the member's target assignment
//   8 current assignment     (group, member) -> member epochs, state, assigned, pending revocation
//
// A tombstone on a member key removes that piece; a tombstone on key 3 deletes the group.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/group/consumer_group.h"

namespace runnel::group {

enum class ConsumerRecordType : int16_t {
  group_metadata = 3,
  member_metadata = 5,
  target_metadata = 6,
  target_member = 7,
  current_assignment = 8,
};

struct ConsumerRecordKey {
  ConsumerRecordType type = ConsumerRecordType::group_metadata;
  std::string group;
  std::string member;  // empty for the group-level types 3 and 6
};

std::string encode_consumer_key(const ConsumerRecordKey& k);
// nullopt if the bytes are not a consumer-group key (e.g. an offset or classic group key).
std::optional<ConsumerRecordKey> decode_consumer_key(std::string_view bytes);

struct GroupMetadataValue {
  int32_t epoch = 0;
  SubscribedMetadata subscribed;
};
std::string encode_group_metadata(const GroupMetadataValue& v);
std::optional<GroupMetadataValue> decode_group_metadata(std::string_view bytes);

// Only the member-metadata fields of ConsumerMember are written / read.
std::string encode_member_metadata(const ConsumerMember& m);
bool decode_member_metadata(std::string_view bytes, ConsumerMember& into);

std::string encode_target_metadata(int32_t assignment_epoch);
std::optional<int32_t> decode_target_metadata(std::string_view bytes);

std::string encode_target_member(const Assignment& a);
std::optional<Assignment> decode_target_member(std::string_view bytes);

// Only the epochs, state, assigned and pending_revocation of ConsumerMember.
std::string encode_current_assignment(const ConsumerMember& m);
bool decode_current_assignment(std::string_view bytes, ConsumerMember& into);

}  // namespace runnel::group
