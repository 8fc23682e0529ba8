// QuorumDriver: lifecycle, the tick loop and the routing of the replica's Ready (quorum_driver.h).
// The network side is in quorum_outbound.cc and quorum_inbound.cc, the disk side in
// quorum_persist.cc.
#include "broker/quorum/quorum_driver.h"

#include <unistd.h>

#include <random>

#include "broker/log/log.h"
#include "broker/quorum/message_keys.h"

namespace runnel::quorum {

namespace {

constexpr auto kTick = std::chrono::milliseconds(10);

uint64_t pick_seed(uint64_t configured) {
  if (configured != 0) return configured;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

QuorumDriver::QuorumDriver(io::Ring& ring, storage::Files& files, QuorumOptions options, Recovered recovered)
    : ring_(ring),
      files_(files),
      options_(std::move(options)),
      log_(std::move(recovered.log)),
      dir_fd_(recovered.dir_fd),
      replica_(options_.raft, std::move(recovered.state), now_ms(), pick_seed(options_.seed)) {
  RUNNEL_ASSERT(log_ != nullptr && dir_fd_ >= 0, "a quorum driver needs its recovered log and directory");
}

QuorumDriver::~QuorumDriver() {
  RUNNEL_ASSERT(!started_ || (stopping_ && tasks_.alive() == 0), "quorum driver destroyed before stop() finished");
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

int64_t QuorumDriver::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now().time_since_epoch()).count();
}

void QuorumDriver::start() {
  RUNNEL_ASSERT(!started_, "quorum driver started twice");
  started_ = true;
  for (const config::QuorumVoter& v : options_.voters) {
    if (v.id == options_.raft.node_id) continue;
    net::PeerClient::Options o;
    o.client_id = options_.client_id;
    o.connect_timeout = std::chrono::milliseconds(options_.raft.request_timeout_ms);
    // Kafka's raft client reconnects quickly: a voter that restarts should be heard from within
    // an election timeout.
    o.reconnect_backoff.initial = std::chrono::milliseconds(50);
    o.reconnect_backoff.max = std::chrono::milliseconds(1000);
    net::PeerAddress address{v.host, static_cast<uint16_t>(v.port)};
    net::PeerClient::Options control = o;
    control.client_id = options_.client_id + "-control";
    control.max_in_flight = 64;  // forwarded admin requests wait for their commit: many at once
    peers_.emplace(v.id.value(), std::make_unique<net::PeerClient>(ring_, address, std::move(o)));
    control_peers_.emplace(v.id.value(), std::make_unique<net::PeerClient>(ring_, address, std::move(control)));
  }
  RUNNEL_LOG(info, "metadata quorum: node %d of voters %s, epoch %d, log end %lld", node_id().value(),
             voters_string().c_str(), replica_.epoch().value(),
             static_cast<long long>(replica_.log().end_offset().value()));
  tasks_.spawn(persist_loop());
  tasks_.spawn(tick_loop());
  process_ready();
}

std::string QuorumDriver::voters_string() const {
  std::string s;
  for (const config::QuorumVoter& v : options_.voters) {
    if (!s.empty()) s += ",";
    s += config::to_string(v);
  }
  return s;
}

io::Task<void> QuorumDriver::stop(std::chrono::milliseconds handover) {
  if (!started_ || stopping_) co_return;
  if (replica_.role() == raft::Role::leader && !failed_ && handover.count() > 0 && options_.voters.size() > 1) {
    // Resigning persists the quorum state first (durability before speech), so the persist
    // loop keeps running while the EndQuorumEpoch requests go out.
    // The EndQuorumEpoch requests may wait in the replica's outbox for a persistence request
    // still in flight; they go out when it completes. Wait for them to be sent and answered.
    handing_over_ = true;
    replica_.step_down(now_ms());
    process_ready();
    const auto deadline = io::Clock::now() + handover;
    while (!(handover_sent_ && handover_sends_ == 0) && !failed_ && io::Clock::now() < deadline) {
      co_await handover_done_.wait(deadline);
    }
    handing_over_ = false;
  }
  stopping_ = true;
  stop_.abort();
  persist_wakeup_.wake();
  for (auto& [key, queue] : waiters_) {
    for (Waiter* w : queue) w->wake.wake();
    queue.clear();
  }
  for (auto& [id, client] : peers_) co_await client->close();
  for (auto& [id, client] : control_peers_) co_await client->close();
  co_await tasks_.close();
  log_->close(files_);
  RUNNEL_LOG(info, "metadata quorum: node %d stopped in epoch %d", node_id().value(), replica_.epoch().value());
}

net::PeerClient* QuorumDriver::peer(NodeId id) {
  auto it = control_peers_.find(id.value());
  return it == control_peers_.end() ? nullptr : it->second.get();
}

net::PeerClient* QuorumDriver::raft_peer(NodeId id) {
  auto it = peers_.find(id.value());
  return it == peers_.end() ? nullptr : it->second.get();
}

QuorumStatus QuorumDriver::status() const {
  QuorumStatus s;
  s.node_id = node_id();
  s.role = replica_.role();
  s.leader_id = replica_.role() == raft::Role::resigned ? NodeId{-1} : replica_.leader_id();
  s.epoch = replica_.epoch();
  s.high_watermark = replica_.high_watermark();
  s.log_end_offset = replica_.log().end_offset();
  s.failed = failed_;
  return s;
}

io::Task<void> QuorumDriver::tick_loop() {
  while (!stop_.aborted()) {
    co_await stop_.sleep_for(kTick);
    if (stopping_) break;
    int64_t now = now_ms();
    replica_.tick(now);
    // Requests whose transport gave up without telling us (it always does, by the call's
    // deadline): keep the table from filling with them.
    in_flight_.expire(now, 2 * (options_.raft.request_timeout_ms + options_.raft.fetch_max_wait_ms));
    process_ready();
  }
}

void QuorumDriver::receive(NodeId from, raft::Message message) {
  if (stopping_) return;
  replica_.receive(now_ms(), raft::Envelope{from, node_id(), std::move(message)});
  process_ready();
}

void QuorumDriver::process_ready() {
  raft::Ready ready = replica_.take_ready();
  if (!ready.persist.empty()) {
    for (raft::PersistRequest& p : ready.persist) to_persist_.push_back(std::move(p));
    persist_wakeup_.wake();
  }
  for (raft::Envelope& e : ready.messages) {
    RUNNEL_ASSERT(e.source == node_id(), "the replica sent a message as node %d", e.source.value());
    if (is_request(e.message)) {
      if (stopping_) continue;
      if (std::holds_alternative<raft::EndQuorumEpochRequest>(e.message) && handing_over_) {
        ++handover_sends_;
        handover_sent_ = true;
      }
      tasks_.spawn(send_request(e.destination, std::move(e.message)));
    } else {
      deliver_response(e.destination, std::move(e.message));
    }
  }
  bool changed = false;
  if (ready.snapshot_installed) {
    installed_ = std::move(ready.snapshot_installed);
    changed = true;
    RUNNEL_LOG(info, "metadata quorum: node %d installed the leader's snapshot up to offset %lld (epoch %d)",
               node_id().value(), static_cast<long long>(installed_->id.offset.value()), installed_->id.epoch.value());
  }
  if (ready.high_watermark) {
    committed_ = *ready.high_watermark;
    changed = true;
  }
  if (replica_.role() != last_role_ || replica_.epoch() != last_epoch_) {
    last_role_ = replica_.role();
    last_epoch_ = replica_.epoch();
    changed = true;
    RUNNEL_LOG(info, "metadata quorum: node %d is %s in epoch %d (leader %d)", node_id().value(),
               std::string(raft::role_name(last_role_)).c_str(), last_epoch_.value(), replica_.leader_id().value());
  }
  if (changed && listener_) listener_();
}

Result<raft::OffsetRange, raft::NotLeader> QuorumDriver::propose(const std::vector<std::string>& records) {
  if (stopping_ || failed_) return Unexpected(raft::NotLeader{ErrorCode::not_leader_or_follower, NodeId{-1}, replica_.epoch()});
  auto r = replica_.propose(now_ms(), records);
  process_ready();
  return r;
}

bool QuorumDriver::leader_ready() const {
  if (replica_.role() != raft::Role::leader || failed_ || stopping_) return false;
  const auto& epochs = replica_.log().epochs();
  if (epochs.empty() || epochs.back().epoch != replica_.epoch()) return false;
  return committed_ > epochs.back().start_offset;
}

}  // namespace runnel::quorum
