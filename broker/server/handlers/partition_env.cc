// The registered Produce, Fetch and ListOffsets handlers: their cores (partition_handlers.h) bound
// to the shard the request arrived on.
#include "broker/server/handlers/handlers.h"
#include "broker/server/handlers/partition_handlers.h"
#include "broker/server/handlers/quorum_rpcs.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

PartitionEnv partition_env(RequestContext& ctx, Router& router) {
  Shard& shard = ctx.shard;
  return PartitionEnv{shard.image(), router, shard.ring(), shard.append_watch(), &shard.probe()};
}

io::Task<HandlerStatus> produce(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  Router router(ctx.shard);
  PartitionEnv env = partition_env(ctx, router);
  co_return co_await serve_produce(env, ctx, body, out);
}

io::Task<HandlerStatus> fetch(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  protocol::FetchRequest req;
  if (!req.decode(body, ctx.api_version)) co_return HandlerStatus::close;
  if (is_metadata_fetch(req, ctx.api_version)) co_return co_await metadata_fetch(ctx, req, out);
  Router router(ctx.shard);
  PartitionEnv env = partition_env(ctx, router);
  co_return co_await serve_decoded_fetch(env, ctx, req, out);
}

io::Task<HandlerStatus> list_offsets(RequestContext& ctx, protocol::Reader& body, protocol::Writer& out) {
  Router router(ctx.shard);
  PartitionEnv env = partition_env(ctx, router);
  co_return co_await serve_list_offsets(env, ctx, body, out);
}

}  // namespace runnel::server::handlers
