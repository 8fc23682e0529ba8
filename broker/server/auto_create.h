#pragma once

#include <string>
#include <vector>

#include "broker/io/task.h"

namespace runnel::server {

class Shard;

// Creates the named topics with the broker's defaults when auto.create.topics.enable is on
// (Metadata with allow_auto_topic_creation, and Produce to a missing topic). Returns once the
// new metadata is installed on every core; errors (e.g. a race with another creator) are
// ignored, the caller simply looks the topics up again.
io::Task<void> auto_create_topics(Shard& shard, std::vector<std::string> names);

}  // namespace runnel::server
