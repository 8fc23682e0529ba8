#pragma once

// The Fetch handler's branch into the metadata quorum (quorum_rpcs.cc): a Fetch of
// __cluster_metadata is a raft follower's fetch, not a consumer's.

#include "broker/protocol/generated/fetch_request.h"
#include "broker/server/request_context.h"

namespace runnel::server::handlers {

// True when the request fetches exactly __cluster_metadata (by name, or from v13 by Kafka's
// metadata topic id).
bool is_metadata_fetch(const protocol::FetchRequest& req, int16_t version);
io::Task<HandlerStatus> metadata_fetch(RequestContext& ctx, const protocol::FetchRequest& req, protocol::Writer& out);

}  // namespace runnel::server::handlers
