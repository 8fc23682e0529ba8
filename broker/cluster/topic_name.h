#pragma once

#include <string>
#include <string_view>

#include "broker/model/result.h"

namespace runnel::cluster {

// Kafka's topic-name rules: 1..249 characters of [a-zA-Z0-9._-], and not "." or "..". The error
// is Kafka's reason (for INVALID_TOPIC_EXCEPTION messages).
Result<void, std::string> validate_topic_name(std::string_view name);

// Kafka warns that '.' and '_' collide in metric names; it refuses a new topic whose name
// collides with an existing one after replacing '.' with '_'.
std::string collision_key(std::string_view name);

}  // namespace runnel::cluster
