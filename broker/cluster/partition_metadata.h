#pragma once

#include <string>

#include "broker/model/uuid.h"

namespace runnel::cluster {

// Kafka's `partition.metadata` file in each partition directory ("version: 0\ntopic_id: <id>"),
// which ties the directory to one incarnation of the topic so that a re-created topic of the
// same name never adopts stale data. Written once, when the partition is created.
bool write_partition_metadata(const std::string& dir, const Uuid& topic_id);
// False when the file is missing or unreadable.
bool read_partition_metadata(const std::string& dir, Uuid& topic_id);

}  // namespace runnel::cluster
