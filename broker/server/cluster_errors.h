#pragma once

// The one place where a refused cluster metadata change becomes the Kafka error code a client
// sees (CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs, InitProducerId); the
// controller and the metadata store never name a Kafka code.

#include "broker/cluster/errc.h"
#include "broker/model/error_code.h"

namespace runnel::server {

constexpr ErrorCode to_kafka(cluster::Errc e) {
  switch (e) {
    // Kafka fails a metadata write it cannot make with a storage error; retriable.
    case cluster::Errc::persist_failed: return ErrorCode::kafka_storage_error;
    // Kafka's answer while no block of producer ids is available yet; the producer retries.
    case cluster::Errc::no_producer_id_block: return ErrorCode::coordinator_load_in_progress;
    case cluster::Errc::invalid_topic: return ErrorCode::invalid_topic_exception;
    case cluster::Errc::topic_exists: return ErrorCode::topic_already_exists;
    case cluster::Errc::unknown_topic: return ErrorCode::unknown_topic_or_partition;
    case cluster::Errc::unknown_topic_id: return ErrorCode::unknown_topic_id;
    case cluster::Errc::topic_deletion_disabled: return ErrorCode::topic_deletion_disabled;
    case cluster::Errc::invalid_partitions: return ErrorCode::invalid_partitions;
    case cluster::Errc::invalid_replication_factor: return ErrorCode::invalid_replication_factor;
    case cluster::Errc::invalid_replica_assignment: return ErrorCode::invalid_replica_assignment;
    // Kafka's ReplicationControlManager answers INVALID_REQUEST for this combination.
    case cluster::Errc::assignment_with_counts: return ErrorCode::invalid_request;
    case cluster::Errc::invalid_config: return ErrorCode::invalid_config;
    case cluster::Errc::not_controller: return ErrorCode::not_controller;
    case cluster::Errc::timed_out: return ErrorCode::request_timed_out;
    case cluster::Errc::refused: return ErrorCode::unknown_server_error;  // see to_kafka(Error)
  }
  return ErrorCode::unknown_server_error;
}

// A refused change's Kafka code: the quorum controller's decisions choose theirs directly.
constexpr ErrorCode to_kafka(const cluster::Error& e) {
  return e.code == cluster::Errc::refused ? static_cast<ErrorCode>(e.kafka_code) : to_kafka(e.code);
}

}  // namespace runnel::server
