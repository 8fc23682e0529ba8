#pragma once

// Forwarding to the active controller, as a Kafka 4.x broker forwards the admin requests it
// cannot decide (CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs,
// IncrementalAlterConfigs; producer ids come in blocks through AllocateProducerIds instead): on a node of a metadata quorum that is not the
// active controller, the request body is sent unchanged to the quorum leader's controller
// endpoint at the same version, and its response body relayed unchanged to the client.

#include <optional>

#include "broker/server/request_context.h"

namespace runnel::server::handlers {

// Call first thing in a handler, before decoding. nullopt: decide here (a single node, the
// active controller, or no leader known: the local controller then answers NOT_CONTROLLER,
// which clients retry). Otherwise the response is in `out` and the handler returns the status.
io::Task<std::optional<HandlerStatus>> forward_to_controller(RequestContext& ctx, protocol::Reader& body,
                                                             protocol::Writer& out);

}  // namespace runnel::server::handlers
