#pragma once

#include <string>

#include "broker/model/uuid.h"

namespace runnel::cluster {

// Kafka's `partition.metadata` file in each partition directory ("version: 0\ntopic_id: <id>"),
// which ties the directory to one incarnation of the topic so that a re-created topic of the
// same name never adopts stale data. Written once, when the partition is created: to a temporary
// file, fdatasync'd, renamed into place. `sync_dir` also fsyncs `dir` so that the rename is
// durable at once; without it the rename becomes durable with the directory fsync that creating
// the partition's first segment does before any record is written (storage/FORMAT.md, "new
// segment"), so a directory holding records always holds its partition.metadata, and one
// without records that lost it gets it again when opened.
bool write_partition_metadata(const std::string& dir, const Uuid& topic_id, bool sync_dir = true);
// False when the file is missing or unreadable.
bool read_partition_metadata(const std::string& dir, Uuid& topic_id);

}  // namespace runnel::cluster
