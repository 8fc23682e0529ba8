#pragma once

// The cores of the partition handlers, Produce, Fetch and ListOffsets: what they need of the
// broker is in PartitionEnv, so a unit test runs them against a fake PartitionRouter and an
// image of its own, with no broker (tests/unit/server/partition_handlers_test.cc). The
// registered handlers (handlers.h) bind them to the shard the request arrived on.

#include "broker/cluster/metadata_image.h"
#include "broker/io/ring.h"
#include "broker/metrics/shard_probe.h"
#include "broker/server/append_watch.h"
#include "broker/server/partition_router.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/server/request_context.h"

namespace runnel::server {
class Router;
}

namespace runnel::server::handlers {

struct PartitionEnv {
  cluster::ImagePtr image;
  PartitionRouter& router;
  io::Ring& ring;                        // the long poll's timer
  AppendWatch& watch;                    // the long poll's wake-ups
  metrics::ShardProbe* probe = nullptr;  // null: no metrics
};

// The environment of a request served by `ctx.shard`, routed by `router`.
PartitionEnv partition_env(RequestContext& ctx, Router& router);

io::Task<HandlerStatus> serve_produce(PartitionEnv& env, RequestInfo& req, protocol::Reader& body, protocol::Writer& out);
io::Task<HandlerStatus> serve_fetch(PartitionEnv& env, RequestInfo& req, protocol::Reader& body, protocol::Writer& out);
// serve_fetch after decoding (the registered handler decodes first, to route a raft follower's
// Fetch of __cluster_metadata to the quorum instead).
io::Task<HandlerStatus> serve_decoded_fetch(PartitionEnv& env, RequestInfo& req, const protocol::FetchRequest& fetch,
                                            protocol::Writer& out);
io::Task<HandlerStatus> serve_list_offsets(PartitionEnv& env, RequestInfo& req, protocol::Reader& body,
                                           protocol::Writer& out);

}  // namespace runnel::server::handlers
