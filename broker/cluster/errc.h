#pragma once

// Why a change to the cluster metadata failed. The controller (server/controller.h) decides
// changes in this vocabulary; the Kafka error code a client sees is chosen at the handler edge
// (server/cluster_errors.h), as for storage and config errors.

#include <cstdint>
#include <string>

namespace runnel::cluster {

enum class Errc : uint8_t {
  persist_failed,              // the metadata document could not be written durably: nothing changed
  no_producer_id_block,        // a new block of producer ids could not be persisted (retriable)
  invalid_topic,               // a name against Kafka's rules, or colliding with an existing one
  topic_exists,                // CreateTopics of a name already taken
  unknown_topic,               // no topic of that name
  unknown_topic_id,            // no topic with that id
  topic_deletion_disabled,     // delete.topic.enable=false
  invalid_partitions,          // a non-positive count, or one that does not grow the topic
  invalid_replication_factor,  // non-positive, or more than the registered brokers
  invalid_replica_assignment,  // a manual assignment naming unknown, repeated or too few brokers
  assignment_with_counts,      // a manual assignment next to a partition count or replication factor
  invalid_config,              // topic config overrides rejected (config::validate_topic_overrides)
  not_controller,              // a quorum node that is not the active controller (or lost it meanwhile)
  timed_out,                   // the change was proposed but not committed in time
  refused,                     // the quorum controller refused with a Kafka code of its own (Error::kafka_code)
};

// A refused change: why, and Kafka's message text for the client (empty where Kafka sends none).
struct Error {
  Errc code = Errc::persist_failed;
  std::string message;
  int16_t kafka_code = 0;  // Errc::refused only: the Kafka error code the decision chose
};

inline const char* name(Errc e) {
  switch (e) {
    case Errc::persist_failed: return "persist_failed";
    case Errc::no_producer_id_block: return "no_producer_id_block";
    case Errc::invalid_topic: return "invalid_topic";
    case Errc::topic_exists: return "topic_exists";
    case Errc::unknown_topic: return "unknown_topic";
    case Errc::unknown_topic_id: return "unknown_topic_id";
    case Errc::topic_deletion_disabled: return "topic_deletion_disabled";
    case Errc::invalid_partitions: return "invalid_partitions";
    case Errc::invalid_replication_factor: return "invalid_replication_factor";
    case Errc::invalid_replica_assignment: return "invalid_replica_assignment";
    case Errc::assignment_with_counts: return "assignment_with_counts";
    case Errc::invalid_config: return "invalid_config";
    case Errc::not_controller: return "not_controller";
    case Errc::timed_out: return "timed_out";
    case Errc::refused: return "refused";
  }
  return "unknown";
}

}  // namespace runnel::cluster
