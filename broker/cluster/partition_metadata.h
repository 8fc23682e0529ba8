#pragma once

#include <string>

#include "broker/model/uuid.h"

namespace runnel::cluster {

// Kafka's `partition.metadata` file in each partition directory ("version: 0\ntopic_id: <id>"),
// which ties the directory to one incarnation of the topic so that a re-created topic of the
// same name never adopts stale data. Written once, when the partition is created: to a temporary
// file, fdatasync'd, renamed into place, `dir` fsync'd. `sync = false` skips both syncs: the
// caller then has the partition log sync the file before its first segment's directory fsync
// (PartitionLog::sync_before_next_segment), which makes the rename durable too, so a directory
// holding records always holds its whole partition.metadata, and one without records that lost
// it (or kept an empty one) gets it again when opened.
bool write_partition_metadata(const std::string& dir, const Uuid& topic_id, bool sync = true);
// False when the file is missing or unreadable.
bool read_partition_metadata(const std::string& dir, Uuid& topic_id);

}  // namespace runnel::cluster
