#pragma once

// The simulated world of the Raft simulation: N raft::Replica objects (the production code),
// one fake clock, a fake network and one fake disk per node, driven by an event queue. Nothing
// here reads a real clock or touches a real file; a schedule is a pure function of its seed.
//
// Network: every message can be dropped, duplicated and delayed by a random amount (so messages
// overtake each other); links can be cut in one direction or both (partitions).
// Disk: persistence requests become durable when their flush event fires. A crash keeps what
// was flushed, plus a random prefix of what was written but not yet reported (the last append of
// which may be torn at a record boundary), and loses the rest.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "broker/raft/replica.h"
#include "sim_checker.h"
#include "sim_observer.h"
#include "sim_state_machine.h"

namespace runnel::raft::sim {

struct NetworkFaults {
  double drop = 0;       // probability a message is lost
  double duplicate = 0;  // probability a message is delivered twice
  int64_t delay_min_ms = 1;
  int64_t delay_max_ms = 5;
};

class Disk {
 public:
  explicit Disk(DurableState initial) : durable_(std::move(initial)) {}

  void write(PersistRequest request) { pending_.push_back(std::move(request)); }
  // The owner's snapshot file: written and synced at once (temporary, fsync, rename), outside the
  // replica's request queue, as the broker's controller does.
  void save_snapshot(const Snapshot& snapshot);
  // Makes every request up to `seq` durable; returns false if that was already so.
  bool flush(uint64_t seq);
  // A crash: keep a random prefix of the unflushed requests (maybe a torn append), lose the rest.
  void crash(Random& random);
  const DurableState& durable() const { return durable_; }
  uint64_t flushed_seq() const { return flushed_seq_; }
  void reset_sequence() { flushed_seq_ = 0; }

 private:
  void apply(const PersistOp& op);

  DurableState durable_;
  std::deque<PersistRequest> pending_;
  uint64_t flushed_seq_ = 0;
};

struct SimNode {
  RaftConfig config;
  std::unique_ptr<Replica> replica;  // null while crashed
  std::unique_ptr<Disk> disk;
  uint32_t incarnation = 0;
  int64_t flush_max_ms = 8;  // an fsync takes 1..flush_max_ms
  bool flush_in_flight = false;  // one fsync at a time (group commit)
  uint64_t last_written_seq = 0;
  int64_t clock_permille = 1000;  // the node's clock runs at this rate of the world's (drift)
  int64_t clock_offset_ms = 0;    // and starts here
  std::string status;  // last traced role/epoch/high watermark
  SimStateMachine state;  // applied from the commit notices; rebuilt from the disk's snapshot on restart
  int64_t snapshot_every = 0;  // records applied between snapshots; 0: never
};

class World {
 public:
  // Timeouts scale with `election_timeout_ms`: the fetch timeout is twice it, as in Kafka's
  // defaults, and an unanswered request is resent after one.
  // With `dynamic`, a KIP-853 quorum: the first `voters` nodes are formatted with each other as
  // bootstrap voters, the observers --no-initial-controllers (they know no voter and ask the
  // bootstrap voters for the leader), and voters change through AddRaftVoter/RemoveRaftVoter
  // (admin()).
  World(uint64_t seed, int voters, int observers, InjectedBugs bugs, bool trace, int64_t election_timeout_ms = 1000,
        bool dynamic = false);
  World(const World&) = delete;  // scheduled actions capture `this`
  World& operator=(const World&) = delete;

  int64_t now() const { return now_ms_; }
  size_t size() const { return nodes_.size(); }
  const SimNode& node(size_t i) const { return nodes_[i]; }
  bool up(size_t i) const { return nodes_[i].replica != nullptr; }
  const Replica* replica(size_t i) const { return nodes_[i].replica.get(); }
  Checker& checker() { return checker_; }
  Random& random() { return random_; }
  NetworkFaults& faults() { return faults_; }
  const std::vector<std::string>& trace() const { return trace_; }
  bool tracing() const { return tracing_; }
  const RaftConfig& config(size_t i) const { return nodes_[i].config; }

  // Runs events until `until_ms` or the first invariant violation.
  void run_until(int64_t until_ms);
  bool failed() const {
    return checker_.violation().has_value() || (observer_ != nullptr && observer_->violation().has_value());
  }
  // What runs on the nodes besides the toy state machine (sim_observer.h); null for nothing.
  void set_observer(WorldObserver* observer) { observer_ = observer; }

  void crash(size_t i);
  void step_down(size_t i);  // a graceful resignation (Replica::step_down)
  void restart(size_t i);
  Result<OffsetRange, NotLeader> propose(size_t i, std::vector<std::string> records);
  void cut(size_t from, size_t to) { blocked_[from * nodes_.size() + to] = true; }
  void heal_network() { blocked_.assign(blocked_.size(), false); }
  bool blocked(size_t from, size_t to) const { return blocked_[from * nodes_.size() + to]; }
  void set_flush_latency(size_t i, int64_t max_ms) { nodes_[i].flush_max_ms = max_ms; }
  // Node i snapshots its state machine about every `records` applied records (0: never).
  void set_snapshot_every(size_t i, int64_t records) { nodes_[i].snapshot_every = records; }
  // What node i's clock reads (see SimNode: its own start and a rate off by up to 5%).
  int64_t local_now(size_t i) const {
    return nodes_[i].clock_offset_ms + now_ms_ * nodes_[i].clock_permille / 1000;
  }
  // After each event a node handles, it crashes with this probability (and comes back within
  // 300 ms): crash points anywhere, not only where the fault schedule put them.
  void set_step_crash(double probability) { step_crash_ = probability; }
  // The probability that a message to a crashed node comes back to its sender as a refused
  // connection (Replica::peer_unreachable); 0: lost silently, as on a network that drops.
  void set_refusals(double probability) { refusals_ = probability; }
  // Each event that happens at time `t` from now on.
  void at(int64_t t, std::function<void()> action);

  void note(const std::string& line);
  uint64_t events() const { return events_; }

  // An administrator's AddRaftVoter/RemoveRaftVoter, handed to node i (its answer is traced and
  // counted; answers go to ids below kAdminSource, which are nobody's).
  void admin(size_t i, Message request);
  static constexpr int32_t kAdminSource = -100;
  int64_t voter_changes_answered(ErrorCode e) const;
  // Every voter set a node committed, by offset (one committed history, so one set per offset).
  const std::map<Offset, VoterSet>& committed_voters() const { return committed_voters_; }

 private:
  struct Event {
    int64_t time = 0;
    uint64_t order = 0;
    enum class Kind : uint8_t { tick, deliver, flush, action } kind = Kind::tick;
    size_t node = 0;
    uint32_t incarnation = 0;
    uint64_t seq = 0;
    size_t payload = 0;  // deliver: index into messages_; action: index into actions_
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : order > o.order; }
  };

  void push(Event e);
  void dispatch(const Event& e);
  void drain(size_t i);
  void maybe_crash_after_step(size_t i);
  void maybe_snapshot(size_t i);
  void send(size_t from, Envelope envelope);
  size_t index(NodeId id) const { return static_cast<size_t>(id.value()); }

  Random random_;
  bool tracing_;
  int64_t now_ms_ = 0;
  uint64_t order_ = 0;
  uint64_t events_ = 0;
  std::vector<SimNode> nodes_;
  NetworkFaults faults_;
  double step_crash_ = 0;
  double refusals_ = 0;
  std::vector<bool> blocked_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  std::vector<Envelope> messages_;  // deliveries in flight, by payload index
  std::vector<size_t> free_messages_;
  std::vector<std::function<void()>> actions_;
  Checker checker_;
  WorldObserver* observer_ = nullptr;
  std::vector<std::string> trace_;
  int32_t next_admin_ = kAdminSource;
  std::map<int16_t, int64_t> admin_answers_;  // error code -> count
  std::map<Offset, VoterSet> committed_voters_;
  void check_committed_voters(size_t i, Offset from, Offset to);
};

}  // namespace runnel::raft::sim
