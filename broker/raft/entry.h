#pragma once

// One record of the replicated log `__cluster_metadata` and the (offset, epoch) pair that
// names a position in it.

#include <cstdint>
#include <string>

#include "broker/model/named_type.h"

namespace runnel::raft {

inline constexpr NodeId kNoNode{-1};
inline constexpr LeaderEpoch kNoEpoch{0};  // the epoch of an empty log; the first leader has epoch >= 1

// A log position as Kafka's OffsetAndEpoch: the offset one past the last record and the epoch
// of that record. Ordered epoch first, which is Raft's "at least as up to date" comparison.
struct OffsetAndEpoch {
  Offset offset{0};
  LeaderEpoch epoch{0};

  friend bool operator==(const OffsetAndEpoch&, const OffsetAndEpoch&) = default;
  friend auto operator<=>(const OffsetAndEpoch& a, const OffsetAndEpoch& b) {
    if (auto c = a.epoch <=> b.epoch; c != 0) return c;
    return a.offset <=> b.offset;
  }
};

enum class EntryType : uint8_t {
  data,           // a record proposed by the state machine (the controller)
  leader_change,  // Kafka's LeaderChangeMessage control record, first record of every epoch
  kraft_version,  // Kafka's KRaftVersionRecord control record (type 5): the quorum's kraft.version
  voters,         // Kafka's VotersRecord control record (type 6): the voter set from here on (KIP-853)
};

struct Entry {
  Offset offset{0};
  LeaderEpoch epoch{0};
  EntryType type = EntryType::data;
  std::string payload;  // opaque record bytes; the state machine owns their format

  friend bool operator==(const Entry&, const Entry&) = default;
};

// The offsets a successful propose() assigned, both ends inclusive.
struct OffsetRange {
  Offset first{0};
  Offset last{0};
};

}  // namespace runnel::raft
