// QuorumDriver, inbound: a KRaft request that a handler decoded is fed to the replica, and the
// handler waits for the replica's response to it. The replica answers a request from node N
// with a response addressed to N under the same api key, possibly later (a vote once voted-for
// is on disk, a parked Fetch when records arrive), so waiters queue per (node, api key) and the
// oldest is answered first: the order in which the replica took the requests.
#include "broker/quorum/message_keys.h"
#include "broker/quorum/quorum_driver.h"

namespace runnel::quorum {

io::Task<std::optional<raft::Message>> QuorumDriver::handle(NodeId from, raft::Message request,
                                                             std::chrono::milliseconds timeout) {
  RUNNEL_ASSERT(is_request(request), "handle() takes requests, got %s", raft::describe(request).c_str());
  // The replica drops what claims to come from itself; nobody would answer.
  if (stopping_ || !started_ || from == node_id()) co_return std::nullopt;
  const std::pair<int32_t, int16_t> key{from.value(), api_key_of(request)};
  std::deque<Waiter*>& queue = waiters_[key];
  // A follower keeps one Fetch in flight: a new one means it gave up on the one parked here,
  // which the replica will never answer now (replication.cc supersedes it).
  if (std::holds_alternative<raft::FetchRequest>(request)) {
    for (Waiter* w : queue) w->wake.wake();
    queue.clear();
  }
  Waiter waiter(ring_);
  queue.push_back(&waiter);
  receive(from, std::move(request));
  if (!waiter.answered && !stopping_) co_await waiter.wake.wait(io::Clock::now() + timeout);
  if (!waiter.answered) {
    auto it = waiters_.find(key);
    if (it != waiters_.end()) std::erase(it->second, &waiter);
  }
  co_return std::move(waiter.answer);
}

void QuorumDriver::deliver_response(NodeId to, raft::Message response) {
  auto it = waiters_.find({to.value(), api_key_of(response)});
  if (it == waiters_.end() || it->second.empty()) return;  // its handler gave up
  Waiter* w = it->second.front();
  it->second.pop_front();
  w->answer = std::move(response);
  w->answered = true;
  w->wake.wake();
}

}  // namespace runnel::quorum
