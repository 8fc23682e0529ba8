#pragma once

// Which Kafka API a raft message belongs to, and whether it is a request: the keys under which
// the driver matches a replica's response to the handler waiting for it.

#include <cstdint>
#include <variant>

#include "broker/raft/in_flight.h"
#include "broker/raft/messages.h"

namespace runnel::quorum {

inline bool is_request(const raft::Message& m) { return raft::InFlightRequests::api_key_of(m) >= 0; }

// The api key of a request or of a response (a response travels under its request's key).
inline int16_t api_key_of(const raft::Message& m) {
  if (int16_t k = raft::InFlightRequests::api_key_of(m); k >= 0) return k;
  if (std::holds_alternative<raft::VoteResponse>(m)) return protocol::VoteRequest::kApiKey;
  if (std::holds_alternative<raft::BeginQuorumEpochResponse>(m)) return protocol::BeginQuorumEpochRequest::kApiKey;
  if (std::holds_alternative<raft::EndQuorumEpochResponse>(m)) return protocol::EndQuorumEpochRequest::kApiKey;
  if (std::holds_alternative<raft::FetchSnapshotResponse>(m)) return protocol::FetchSnapshotRequest::kApiKey;
  if (const auto* r = std::get_if<raft::VoterChangeResponse>(&m)) return r->api_key;
  return protocol::FetchRequest::kApiKey;  // FetchResponse
}

}  // namespace runnel::quorum
