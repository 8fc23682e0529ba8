#pragma once

// What the simulated brokers and admin clients ask a controller node, and what they hear back.
// One item per request (Kafka's requests carry several; the decisions treat each alike), so an
// answer is about exactly one thing and the history checks can reason about it.

#include <cstdint>
#include <functional>
#include <string>

#include "broker/metadata/ids.h"
#include "broker/metadata/producer_id_decisions.h"
#include "broker/metadata/topic_decisions.h"
#include "broker/model/error_code.h"
#include "broker/model/uuid.h"

namespace runnel::controller_sim {

struct Request {
  enum class Kind : uint8_t {
    create_topic,
    delete_topic,
    create_partitions,
    alter_config,
    allocate_producer_ids,
    register_broker,
    heartbeat,
  };
  Kind kind = Kind::create_topic;
  // Topics.
  std::string topic;
  int32_t partitions = 1;  // create_topic: the count; create_partitions: the new total
  int16_t replication_factor = 1;
  std::string config_value;  // alter_config: retention.ms
  // Brokers.
  NodeId broker{-1};
  Uuid incarnation;
  metadata::BrokerEpoch epoch{-1};
  Offset metadata_offset{-1};
  bool want_shut_down = false;
};

const char* kind_name(Request::Kind kind);

// The answer as the client hears it.
struct Reply {
  enum class Kind : uint8_t {
    answered,  // `error` is the answer (none: success)
    lost,      // the node crashed or the connection broke: the outcome is unknown
  };
  Kind kind = Kind::answered;
  ErrorCode error = ErrorCode::none;
  // Whether the decision refused (nothing proposed) rather than the commit failing, whose
  // records may still commit under the next leader: only a refusal is a definite "no".
  bool refused = false;
  std::string message;
  metadata::TopicOutcome topic;      // topic requests
  metadata::ProducerIdBlock block;   // allocate_producer_ids
  metadata::BrokerEpoch epoch{-1};   // register_broker
  bool fenced = true;                // heartbeat
  bool should_shut_down = false;     // heartbeat
  bool ok() const { return kind == Kind::answered && error == ErrorCode::none; }
};

using ReplyFn = std::function<void(const Reply&)>;

}  // namespace runnel::controller_sim
