#pragma once

// The controller's broker lifecycle decisions (Kafka's ClusterControlManager and the leadership
// moves ReplicationControlManager makes when a broker's state changes), as pure functions: the
// records to append, or the refusal the broker hears. Partition changes follow the election
// rules of leader_election.h, computed on the image with the broker's new state applied.
//
// Liveness (heartbeat deadlines) is the caller's: it calls fence_broker when a broker's session
// expires and unfence_broker when a fenced broker's heartbeat shows it caught up with the log.

#include <optional>
#include <string>
#include <vector>

#include "broker/metadata/image.h"
#include "broker/metadata/records.h"
#include "broker/metadata/refusal.h"

namespace runnel::metadata {

struct BrokerRegistrationRequest {
  NodeId broker_id{0};
  Uuid incarnation_id;
  std::vector<Endpoint> listeners;
  std::optional<std::string> rack;
};

struct BrokerDecision {
  std::vector<Record> records;  // empty when the broker is already in the asked state
  BrokerEpoch epoch{-1};        // the broker's epoch after the change
};

// The registration of `broker`, which must be current (`epoch`, when given): else
// BROKER_ID_NOT_REGISTERED or STALE_BROKER_EPOCH, as Kafka's checkBrokerEpoch.
Answer<const BrokerRegistration*> registered(const Image& image, NodeId broker, std::optional<BrokerEpoch> epoch);

// BrokerRegistration. The new registration is fenced; its epoch is `new_epoch`, the offset the
// record will get. A live registration (unfenced) of another incarnation is
// DUPLICATE_BROKER_REGISTRATION; a restarted broker's old registration is replaced, and the
// partitions it led are re-elected as if it were fenced.
Answer<BrokerDecision> register_broker(const Image& image, const BrokerRegistrationRequest& request,
                                       BrokerEpoch new_epoch, bool unclean_default);

// Session expired: fence, leave ISRs (never emptying one), re-elect where it led.
Answer<BrokerDecision> fence_broker(const Image& image, NodeId broker, bool unclean_default);

// Caught up: unfence, and lead the offline partitions whose ISR holds it.
Answer<BrokerDecision> unfence_broker(const Image& image, NodeId broker, BrokerEpoch epoch, bool unclean_default);

// ControlledShutdown: leadership and ISR membership move away while the broker still serves.
Answer<BrokerDecision> begin_controlled_shutdown(const Image& image, NodeId broker, BrokerEpoch epoch,
                                                 bool unclean_default);

// UnregisterBroker (a broker decommissioned): as fencing, then the registration goes.
Answer<BrokerDecision> unregister_broker(const Image& image, NodeId broker, bool unclean_default);

}  // namespace runnel::metadata
