#include "broker/server/broker_lifecycle.h"

#include "broker/log/log.h"
#include "broker/protocol/generated/broker_heartbeat_request.h"
#include "broker/protocol/generated/broker_heartbeat_response.h"
#include "broker/protocol/generated/broker_registration_request.h"
#include "broker/protocol/generated/broker_registration_response.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker.h"
#include "broker/server/controller.h"

namespace runnel::server {

namespace {

constexpr int16_t kRegistrationVersion = 0;
constexpr int16_t kHeartbeatVersion = 0;
// After a failed registration (no leader yet, NOT_CONTROLLER), Kafka's initial backoff.
constexpr auto kRetry = std::chrono::milliseconds(100);

}  // namespace

BrokerLifecycle::BrokerLifecycle(Broker& broker, quorum::QuorumDriver& driver, QuorumController& controller)
    : broker_(broker),
      driver_(driver),
      controller_(controller),
      incarnation_id_(Uuid::random()),
      next_beat_(driver.ring()),
      released_(driver.ring()) {}

BrokerLifecycle::~BrokerLifecycle() { RUNNEL_ASSERT(tasks_.alive() == 0, "broker lifecycle destroyed while running"); }

void BrokerLifecycle::start() { tasks_.spawn(loop()); }

io::Task<void> BrokerLifecycle::shut_down(std::chrono::milliseconds timeout) {
  if (epoch_.value() < 0 || stopping_) co_return;
  want_shut_down_ = true;
  next_beat_.wake();
  if (!may_shut_down_) co_await released_.wait(io::Clock::now() + timeout);
  RUNNEL_LOG(info, "controlled shutdown: %s", may_shut_down_ ? "the controller released this broker"
                                                             : "no answer from the controller in time");
}

io::Task<void> BrokerLifecycle::stop() {
  stopping_ = true;
  next_beat_.wake();
  co_await tasks_.close();
}

io::Task<void> BrokerLifecycle::loop() {
  const auto interval = std::chrono::milliseconds(broker_.config().broker_heartbeat_interval_ms);
  while (!stopping_) {
    if (epoch_.value() < 0) {
      std::optional<metadata::BrokerEpoch> e = co_await register_once();
      if (stopping_) break;
      if (!e) {
        co_await next_beat_.wait(io::Clock::now() + kRetry);
        continue;
      }
      epoch_ = *e;
      fenced_ = true;
      RUNNEL_LOG(info, "registered with the controller as broker %d, epoch %lld", broker_.config().node_id.value(),
                 static_cast<long long>(epoch_.value()));
    }
    std::optional<QuorumController::HeartbeatAnswer> a = co_await heartbeat_once();
    if (stopping_) break;
    if (a) {
      if (a->error == ErrorCode::stale_broker_epoch || a->error == ErrorCode::broker_id_not_registered) {
        RUNNEL_LOG(warn, "the controller does not know broker epoch %lld (%s): registering again",
                   static_cast<long long>(epoch_.value()), std::string(error_name(a->error)).c_str());
        epoch_ = metadata::BrokerEpoch{-1};
        continue;
      }
      if (a->error == ErrorCode::none) {
        if (fenced_ != a->fenced) {
          RUNNEL_LOG(info, "broker %d is %s", broker_.config().node_id.value(), a->fenced ? "fenced" : "unfenced");
        }
        fenced_ = a->fenced;
        if (!fenced_) broker_.on_unfenced();
        if (want_shut_down_ && a->should_shut_down && !may_shut_down_) {
          may_shut_down_ = true;
          released_.wake();
        }
      }
    }
    // While waiting to be released, ask again soon; otherwise at the interval.
    auto wait = want_shut_down_ ? std::chrono::milliseconds(100) : interval;
    if (a && a->fenced && !want_shut_down_) wait = std::min(wait, std::chrono::milliseconds(200));
    co_await next_beat_.wait(io::Clock::now() + wait);
  }
}

io::Task<std::optional<metadata::BrokerEpoch>> BrokerLifecycle::register_once() {
  const config::BrokerConfig& cfg = broker_.config();
  metadata::BrokerRegistrationRequest req;
  req.broker_id = cfg.node_id;
  req.incarnation_id = incarnation_id_;
  req.rack = cfg.broker_rack;
  const auto& advertised = cfg.advertised_listeners.empty() ? cfg.listeners : cfg.advertised_listeners;
  for (const config::Endpoint& e : advertised) {
    req.listeners.push_back(metadata::Endpoint{e.name, e.host.empty() ? broker_.advertised_host() : e.host, e.port,
                                               static_cast<int16_t>(e.protocol)});
  }
  if (controller_.active()) {
    auto r = co_await controller_.register_broker(req);
    if (!r) co_return std::nullopt;
    co_return *r;
  }
  net::PeerClient* leader = driver_.peer(driver_.status().leader_id);
  if (leader == nullptr || leader->closed()) co_return std::nullopt;
  protocol::BrokerRegistrationRequest w;
  w.broker_id = req.broker_id.value();
  w.cluster_id = broker_.controller().image()->cluster_id;
  w.incarnation_id = req.incarnation_id;
  w.rack = req.rack;
  for (const metadata::Endpoint& e : req.listeners) {
    protocol::BrokerRegistrationRequest::Listener l;
    l.name = e.name;
    l.host = e.host;
    l.port = e.port;
    l.security_protocol = e.security_protocol;
    w.listeners.push_back(std::move(l));
  }
  auto deadline = io::Clock::now() + std::chrono::milliseconds(cfg.controller_quorum_request_timeout_ms);
  auto r = co_await leader->call<protocol::BrokerRegistrationResponse>(w, kRegistrationVersion, deadline);
  if (!r || r->error_code != 0) co_return std::nullopt;
  co_return metadata::BrokerEpoch{r->broker_epoch};
}

io::Task<std::optional<QuorumController::HeartbeatAnswer>> BrokerLifecycle::heartbeat_once() {
  const config::BrokerConfig& cfg = broker_.config();
  const Offset applied{controller_.applied().value() - 1};
  if (controller_.active()) {
    co_return co_await controller_.heartbeat(cfg.node_id, epoch_, applied, want_shut_down_);
  }
  net::PeerClient* leader = driver_.peer(driver_.status().leader_id);
  if (leader == nullptr || leader->closed()) co_return std::nullopt;
  protocol::BrokerHeartbeatRequest w;
  w.broker_id = cfg.node_id.value();
  w.broker_epoch = epoch_.value();
  w.current_metadata_offset = applied.value();
  w.want_shut_down = want_shut_down_;
  auto deadline = io::Clock::now() + std::chrono::milliseconds(cfg.controller_quorum_request_timeout_ms);
  auto r = co_await leader->call<protocol::BrokerHeartbeatResponse>(w, kHeartbeatVersion, deadline);
  if (!r) co_return std::nullopt;
  QuorumController::HeartbeatAnswer a;
  a.error = static_cast<ErrorCode>(r->error_code);
  a.caught_up = r->is_caught_up;
  a.fenced = r->is_fenced;
  a.should_shut_down = r->should_shut_down;
  co_return a;
}

}  // namespace runnel::server
