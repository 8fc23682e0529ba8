#pragma once

// InFlightRequests: the driver's table of KRaft requests sent and not yet answered.
//
// The core matches some response fields against the request they answer (messages.h marks them
// "echo": VoteResponse::prevote, FetchResponse::fetch_offset and last_fetched_epoch), but
// Kafka's wire format does not repeat them; Kafka's client correlates by correlation id instead.
// So the driver records each request here when it sends it, and when a response arrives it
// takes the entry back and passes the echo to wire::from_wire. A response whose id is unknown
// (answered already, expired, or from a node the request did not go to) is dropped, which is
// what the core expects of duplicated or stray answers.
//
// Bounded (a full table refuses new requests; the core resends on its timers), single owner,
// no I/O. Ids are the table's own, increasing from 1: the driver sends each request under its
// id (as the correlation id when it frames requests itself, or as the key of the call).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <variant>
#include <vector>

#include "broker/model/assert.h"
#include "broker/protocol/generated/fetch_snapshot_request.h"
#include "broker/raft/messages.h"
#include "broker/raft/wire.h"

namespace runnel::raft {

struct InFlight {
  NodeId destination{-1};
  int16_t api_key = -1;  // the request's Kafka api key
  int64_t sent_ms = 0;
  bool prevote = false;    // Vote: the echo of VoteResponse::prevote
  wire::FetchEcho fetch;   // Fetch: the echo of FetchResponse's position
};

class InFlightRequests {
 public:
  explicit InFlightRequests(size_t max_in_flight = 1024) : max_(max_in_flight) {
    RUNNEL_ASSERT(max_in_flight > 0, "an in-flight table needs room, got %zu", max_in_flight);
  }

  // Records `request` (a request, never a response: asserted) and returns its id, or nullopt
  // when the table is full.
  std::optional<uint64_t> add(NodeId destination, const Message& request, int64_t now_ms) {
    if (by_id_.size() >= max_) return std::nullopt;
    InFlight entry{destination, api_key_of(request), now_ms, false, {}};
    RUNNEL_ASSERT(entry.api_key >= 0, "not a request: %s", describe(request).c_str());
    if (const auto* vote = std::get_if<VoteRequest>(&request)) entry.prevote = vote->prevote;
    if (const auto* fetch = std::get_if<FetchRequest>(&request)) {
      entry.fetch = {fetch->fetch_offset, fetch->last_fetched_epoch};
    }
    uint64_t id = next_id_++;
    by_id_.emplace(id, entry);
    return id;
  }

  // The request that a response from `source` with `api_key` answers, removed from the table;
  // nullopt when no such request is in flight.
  std::optional<InFlight> take(uint64_t id, NodeId source, int16_t api_key) {
    auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second.destination != source || it->second.api_key != api_key) return std::nullopt;
    InFlight entry = it->second;
    by_id_.erase(it);
    return entry;
  }

  // Forgets requests sent more than `timeout_ms` ago (the transport gave up on them) and
  // returns how many.
  size_t expire(int64_t now_ms, int64_t timeout_ms) {
    return std::erase_if(by_id_, [&](const auto& kv) { return now_ms - kv.second.sent_ms > timeout_ms; });
  }

  size_t size() const { return by_id_.size(); }

  // Kafka's api key of a request message; -1 for a response.
  static int16_t api_key_of(const Message& m) {
    if (std::holds_alternative<VoteRequest>(m)) return protocol::VoteRequest::kApiKey;
    if (std::holds_alternative<BeginQuorumEpochRequest>(m)) return protocol::BeginQuorumEpochRequest::kApiKey;
    if (std::holds_alternative<EndQuorumEpochRequest>(m)) return protocol::EndQuorumEpochRequest::kApiKey;
    if (std::holds_alternative<FetchRequest>(m)) return protocol::FetchRequest::kApiKey;
    if (std::holds_alternative<FetchSnapshotRequest>(m)) return protocol::FetchSnapshotRequest::kApiKey;
    if (std::holds_alternative<AddVoterRequest>(m)) return kAddRaftVoterApiKey;
    if (std::holds_alternative<RemoveVoterRequest>(m)) return kRemoveRaftVoterApiKey;
    if (std::holds_alternative<UpdateVoterRequest>(m)) return kUpdateRaftVoterApiKey;
    return -1;
  }

 private:
  size_t max_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, InFlight> by_id_;
};

}  // namespace runnel::raft
