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
  RUNNEL_LOG(info, "metadata quorum: node %d of voters %s, epoch %d, log end %lld", node_id().value(),
             voters_string().c_str(), replica_.epoch().value(),
             static_cast<long long>(replica_.log().end_offset().value()));
  tasks_.spawn(persist_loop());
  tasks_.spawn(tick_loop());
  process_ready();
}

std::string QuorumDriver::voters_string() const {
  std::string s;
  for (const config::QuorumVoter& v : current_voters()) {
    if (!s.empty()) s += ",";
    s += config::to_string(v);
  }
  return s;
}

io::Task<void> QuorumDriver::stop(std::chrono::milliseconds handover) {
  if (!started_ || stopping_) co_return;
  if (replica_.role() == raft::Role::leader && !failed_ && handover.count() > 0 && replica_.voters().size() > 1) {
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

net::PeerClient* QuorumDriver::peer(NodeId id) { return client_for(control_peers_, id, true); }

net::PeerClient* QuorumDriver::raft_peer(NodeId id) { return client_for(peers_, id, false); }

net::PeerClient* QuorumDriver::client_for(std::map<int32_t, std::unique_ptr<net::PeerClient>>& peers, NodeId id,
                                          bool control) {
  if (id == node_id() || stopping_) return nullptr;
  // One connection per node for the life of the driver. (An endpoint changed by UpdateRaftVoter
  // is used from the next start on.)
  if (auto it = peers.find(id.value()); it != peers.end()) return it->second.get();
  std::optional<net::PeerAddress> address = address_of(id);
  if (!address) return nullptr;
  net::PeerClient::Options o;
  o.client_id = options_.client_id + (control ? "-control" : "");
  o.connect_timeout = std::chrono::milliseconds(options_.raft.request_timeout_ms);
  // Kafka's raft client reconnects quickly: a voter that restarts should be heard from within an
  // election timeout.
  o.reconnect_backoff.initial = std::chrono::milliseconds(50);
  o.reconnect_backoff.max = std::chrono::milliseconds(1000);
  if (control) o.max_in_flight = 64;  // forwarded admin requests wait for their commit: many at once
  auto [at, _] = peers.emplace(id.value(), std::make_unique<net::PeerClient>(ring_, *address, std::move(o)));
  return at->second.get();
}

std::optional<net::PeerAddress> QuorumDriver::address_of(NodeId id) const {
  if (id.value() <= -2) {
    size_t i = static_cast<size_t>(-id.value() - 2);
    if (i < options_.bootstrap_servers.size()) return options_.bootstrap_servers[i];
    return std::nullopt;
  }
  if (options_.raft.dynamic) {
    if (const raft::Voter* v = replica_.voters().find(id)) {
      const raft::VoterEndpoint* chosen = nullptr;
      for (const auto& e : v->endpoints) {
        if (chosen == nullptr || e.listener == options_.listener_name) chosen = &e;
        if (e.listener == options_.listener_name) break;
      }
      if (chosen != nullptr) return net::PeerAddress{chosen->host, chosen->port};
    }
    if (auto it = learned_.find(id.value()); it != learned_.end()) return it->second;
  }
  for (const config::QuorumVoter& v : options_.voters) {
    if (v.id == id) return net::PeerAddress{v.host, static_cast<uint16_t>(v.port)};
  }
  return std::nullopt;
}

std::vector<config::QuorumVoter> QuorumDriver::current_voters() const {
  if (!options_.raft.dynamic) return options_.voters;
  std::vector<config::QuorumVoter> out;
  for (const raft::Voter& v : replica_.voters().voters()) {
    config::QuorumVoter q;
    q.id = v.id;
    if (auto a = address_of(v.id)) {
      q.host = a->host;
      q.port = a->port;
    }
    if (!v.directory_id.is_zero()) q.directory_id = v.directory_id;
    out.push_back(std::move(q));
  }
  return out;
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
