#pragma once

// The one piece of the clients' ConsumerProtocol the broker reads: the topic list at the start
// of a member's subscription (version int16, then an array of int16-length strings). Kafka's
// coordinator reads it for OffsetDelete (GROUP_SUBSCRIBED_TO_TOPIC) and offset expiration.

#include <cstdint>
#include <string>
#include <vector>

namespace runnel::group {

// The subscribed topics, or an empty list when the metadata does not parse.
std::vector<std::string> subscription_topics(const std::vector<uint8_t>& metadata);

}  // namespace runnel::group
