#pragma once

#include <cstdint>
#include <span>

#include "broker/server/request_context.h"

namespace runnel::server {

// One Kafka API this broker serves: its handler and the version range advertised in
// ApiVersions. The whole list lives in handler_registry.cc, so "what do we support" has one answer.
struct ApiHandler {
  int16_t api_key;
  int16_t min_version;  // advertised minimum
  int16_t max_version;
  // Versions below this are advertised but answered with UNSUPPORTED_VERSION by the handler
  // (Kafka 4.0 keeps Produce v0-2 in ApiVersions for librdkafka, KAFKA-18659).
  int16_t min_served_version;
  HandlerFn fn;
};

std::span<const ApiHandler> api_handlers();
const ApiHandler* find_handler(int16_t api_key);
// Whether a listener of `role` serves `api_key` (Kafka closes the connection when it does not).
bool serves(ListenerRole role, int16_t api_key);

}  // namespace runnel::server
