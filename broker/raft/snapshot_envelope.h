#pragma once

// What a metadata snapshot file holds around the state machine's bytes: the voter set in force at
// the snapshot's end (KIP-853 keeps a VotersRecord in every snapshot, so a replica that trims the
// log or installs a snapshot still knows its voters). The state machine never sees it.
//
//   4  magic 0x5251534e ("RQSN"), u32 big-endian
//   1  envelope version, u8 = 0
//   4  length of the voters section, u32 big-endian (0: a static quorum, no voter set recorded)
//   …  the voters: Kafka's VotersRecord v0, as in a KRAFT_VOTERS control record
//   …  the state machine's snapshot (for the controller, broker/metadata/FORMAT.md "Snapshot")
//
// Bytes that do not start with the magic are a snapshot from before the envelope: all of them are
// the state machine's, with no voter set. The controller's own format starts with "RMSH", so the
// two never mix.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "broker/raft/snapshot.h"
#include "broker/raft/voter_set.h"

namespace runnel::raft {

inline constexpr uint32_t kSnapshotEnvelopeMagic = 0x5251534e;

SnapshotBytes wrap_snapshot(const std::optional<VoterSet>& voters, std::span<const uint8_t> state);

struct SnapshotContents {
  std::optional<VoterSet> voters;
  std::span<const uint8_t> state;  // points into the bytes given to unwrap_snapshot
};
// nullopt for an envelope that is cut short or whose voters do not decode.
std::optional<SnapshotContents> unwrap_snapshot(std::span<const uint8_t> bytes);

}  // namespace runnel::raft
