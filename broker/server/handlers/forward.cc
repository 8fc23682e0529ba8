#include "broker/server/handlers/forward.h"

#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker.h"
#include "broker/server/quorum_controller.h"
#include "broker/server/router.h"
#include "broker/server/shard.h"

namespace runnel::server::handlers {

namespace {

// Kafka's forwarding waits up to the request timeout for the controller.
constexpr auto kForwardTimeout = std::chrono::seconds(30);

}  // namespace

io::Task<std::optional<HandlerStatus>> forward_to_controller(RequestContext& ctx, protocol::Reader& body,
                                                             protocol::Writer& out) {
  if (!ctx.shard.broker().quorum_configured()) co_return std::nullopt;
  std::vector<uint8_t> request(body.current(), body.current() + body.remaining());
  const int16_t key = ctx.api_key;
  const int16_t version = ctx.api_version;
  struct Relayed {
    bool forwarded = false;
    bool failed = false;
    std::vector<uint8_t> body;
  };
  Relayed relayed = co_await Router(ctx.shard).on_core(Router::kControllerCore, [&](Shard& s) -> io::Task<Relayed> {
    Relayed r;
    Broker& b = s.broker();
    quorum::QuorumDriver* driver = b.quorum();
    QuorumController* controller = b.quorum_controller();
    if (driver == nullptr || controller == nullptr || controller->active()) co_return r;
    net::PeerClient* leader = driver->peer(driver->status().leader_id);
    if (leader == nullptr || leader->closed()) co_return r;
    r.forwarded = true;
    auto answer = co_await leader->call(key, version, std::move(request), io::Clock::now() + kForwardTimeout);
    if (!answer) {
      r.failed = true;
      co_return r;
    }
    std::span<const uint8_t> bytes = answer.value().body();
    r.body.assign(bytes.begin(), bytes.end());
    co_return r;
  });
  if (!relayed.forwarded) co_return std::nullopt;
  // The controller went away mid-request: answer here (NOT_CONTROLLER from the local
  // controller), which the client retries against the new one.
  if (relayed.failed) co_return std::nullopt;
  out.write_raw(relayed.body.data(), relayed.body.size());
  co_return HandlerStatus::respond;
}

}  // namespace runnel::server::handlers
