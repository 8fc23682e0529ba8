#include "controller_node.h"

#include "broker/metadata/broker_decisions.h"
#include "broker/metadata/config_decisions.h"
#include "broker/metadata/image_builder.h"
#include "broker/metadata/log_replay.h"
#include "broker/metadata/producer_id_decisions.h"
#include "broker/metadata/entry_codec.h"
#include "broker/metadata/record_codec.h"

namespace runnel::controller_sim {

namespace {

// QuorumController's constants.
constexpr int64_t kCommitTimeoutMs = 30'000;
constexpr int64_t kShortCommitTimeoutMs = 1'000;  // ControllerBugs::short_commit_timeout
// Client connections: an answer takes this long to reach its client.
constexpr int64_t kReplyDelayMaxMs = 5;

Reply refused(const metadata::Refusal& r) {
  return Reply{.error = r.code, .refused = true, .message = r.message};
}

Reply not_controller() {
  return Reply{.error = ErrorCode::not_controller, .refused = true, .message = "not the active controller"};
}

}  // namespace

ControllerNode::ControllerNode(World& world, size_t node, const config::BrokerConfig& config, ControllerBugs bugs,
                               const metadata::TopicIdSource& new_id, ControllerChecker& checker)
    : world_(world), node_(node), config_(config), bugs_(bugs), new_id_(new_id), checker_(checker) {}

void ControllerNode::note(const std::string& line) const {
  if (world_.tracing()) world_.note("controller " + std::to_string(node_) + ": " + line);
}

void ControllerNode::reset() {
  image_ = metadata::Image{};
  previous_image_ = image_;
  applied_ = Offset{0};
  locked_ = false;
  lock_queue_.clear();
  pending_.reset();
  last_heartbeat_ms_.clear();
  liveness_epoch_ = LeaderEpoch{-1};
  liveness_busy_ = false;
  // The connections of waiting requests break: their clients hear nothing more.
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [id, reply] : waiting) {
    world_.at(world_.now() + 1, [reply = std::move(reply)] { reply(Reply{.kind = Reply::Kind::lost}); });
  }
  checker_.on_start(node_);
}

// ---- applying ----

void ControllerNode::on_commit(const raft::Replica& replica, Offset high_watermark) {
  if (applied_ >= high_watermark) return;
  const Offset from = applied_;
  metadata::Replay r = metadata::replay_committed(image_, replica.log(), from, high_watermark);
  if (bugs_.apply_twice && r.changed) {
    // The bug: the range is applied once more, as a replay that lost its position would (the
    // offset-less apply, so the builder's offset check does not stop it).
    metadata::ImageBuilder again(r.image);
    for (Offset o = from; o < r.applied; o = Offset{o.value() + 1}) {
      const raft::Entry& e = replica.log().at(o);
      if (e.type != raft::EntryType::data) continue;
      auto recs = metadata::decode_entry({reinterpret_cast<const uint8_t*>(e.payload.data()), e.payload.size()});
      if (recs) {
        for (const metadata::Record& rec : *recs) (void)again.apply(rec);
      }
    }
    r.image = again.build();
  }
  previous_image_ = image_;
  applied_ = r.applied;
  if (r.changed) image_ = r.image;
  // A LeaderChange record right after a record that ends no batch: the batch was cut.
  for (Offset o = std::max(from, Offset{1}); o < r.applied; o = Offset{o.value() + 1}) {
    const raft::Entry& e = replica.log().at(o);
    const raft::Entry& before = replica.log().at(Offset{o.value() - 1});
    if (e.type == raft::EntryType::leader_change && before.type == raft::EntryType::data) {
      checker_.on_batch_boundary(node_, {before.offset, before.epoch});
    }
  }
  // The last entry applied: a LeaderChange record stands between batches, as an offset no
  // proposal ends at stands inside one.
  const raft::Entry& last = replica.log().at(Offset{r.applied.value() - 1});
  const LeaderEpoch batch_epoch = last.type == raft::EntryType::data ? last.epoch : LeaderEpoch{-1};
  checker_.on_replay(node_, from, r, image_, {last.offset, batch_epoch});
}

// ---- the lock and commits ----

void ControllerNode::lock(std::function<void()> critical) { lock_queue_.push_back(std::move(critical)); }

void ControllerNode::unlock() {
  RUNNEL_ASSERT(locked_, "controller %zu unlocks a free lock", node_);
  locked_ = false;
}

bool ControllerNode::active() const {
  const raft::Replica* r = replica();
  if (r == nullptr || r->role() != raft::Role::leader) return false;
  // QuorumDriver::leader_ready: its own LeaderChange record is committed.
  const auto& epochs = r->log().epochs();
  if (epochs.empty() || epochs.back().epoch != r->epoch()) return false;
  if (r->high_watermark() <= epochs.back().start_offset) return false;
  return applied_ >= r->high_watermark();
}

const metadata::Image& ControllerNode::decision_image() const {
  return bugs_.decide_on_stale_image ? previous_image_ : image_;
}

void ControllerNode::commit(const std::vector<metadata::Record>& records, Done done) {
  if (records.empty()) {
    last_commit_ = Offset{applied_.value() - 1};
    done({});
    return;
  }
  // As QuorumController::propose: one entry for the whole decision (metadata/entry_codec.h).
  std::vector<uint8_t> bytes = metadata::encode_entry(records);
  std::vector<std::string> payloads{std::string(bytes.begin(), bytes.end())};
  const LeaderEpoch epoch = replica() != nullptr ? replica()->epoch() : LeaderEpoch{0};
  auto proposed = world_.propose(node_, payloads);
  if (!proposed) {
    done(metadata::refuse(ErrorCode::not_controller, "This node is not the active controller."));
    return;
  }
  checker_.on_proposed(records, {proposed->last, epoch});
  note("proposed " + std::to_string(records.size()) + " records at " + std::to_string(proposed->first.value()) + ".." +
       std::to_string(proposed->last.value()));
  const int64_t timeout_ms = bugs_.short_commit_timeout ? kShortCommitTimeoutMs : kCommitTimeoutMs;
  pending_ = PendingCommit{epoch, proposed->last, now() + timeout_ms, std::move(done)};
}

// QuorumController::commit's wait: applied past the batch, or the epoch moved, or time ran out.
bool ControllerNode::settle_pending() {
  if (!pending_) return false;
  metadata::Answer<void> outcome;
  const raft::Replica* r = replica();
  if (applied_ > pending_->last) {
    outcome = {};
    last_commit_ = pending_->last;
  } else if (r == nullptr || r->epoch() != pending_->epoch || r->role() != raft::Role::leader) {
    outcome = metadata::refuse(ErrorCode::not_controller, "The controller moved before the change was committed.");
  } else if (now() >= pending_->deadline_ms) {
    outcome = metadata::refuse(ErrorCode::request_timed_out, "The change was not committed in time.");
  } else {
    return false;
  }
  Done done = std::move(pending_->done);
  pending_.reset();
  done(std::move(outcome));
  return true;
}

void ControllerNode::poll() {
  if (replica() == nullptr) return;
  for (bool progress = true; progress;) {
    progress = settle_pending();
    if (!locked_ && !pending_ && !lock_queue_.empty()) {
      auto critical = std::move(lock_queue_.front());
      lock_queue_.pop_front();
      locked_ = true;
      critical();
      progress = true;
    }
  }
}

void ControllerNode::answer(uint64_t id, Reply reply) {
  auto it = waiting_.find(id);
  if (it == waiting_.end()) return;
  ReplyFn fn = std::move(it->second);
  waiting_.erase(it);
  if (world_.tracing()) {
    note("answers #" + std::to_string(id) + ": " + std::to_string(static_cast<int>(reply.error)) +
         (reply.refused ? " (refused) " : " ") + reply.message);
  }
  world_.at(world_.now() + world_.random().between(1, kReplyDelayMaxMs),
            [fn = std::move(fn), reply = std::move(reply)] { fn(reply); });
}

// ---- requests ----

bool ControllerNode::refuse_unless_active(uint64_t id) {
  if (active()) return false;
  answer(id, not_controller());
  unlock();
  return true;
}

// The end of a decision: the request hears the commit's failure, or `reply` once applied.
ControllerNode::Done ControllerNode::answer_when_committed(uint64_t id, const Request& request, Reply reply) {
  return [this, id, request, reply = std::move(reply)](metadata::Answer<void> c) mutable {
    if (!c) {
      answer(id, Reply{.error = c.error().code, .message = c.error().message});
    } else {
      // A registered broker's session starts now (QuorumController::register_broker).
      if (request.kind == Request::Kind::register_broker) last_heartbeat_ms_[request.broker.value()] = now();
      checker_.on_acknowledged(node_, request, reply, last_commit_, image_);
      answer(id, std::move(reply));
    }
    unlock();
  };
}

void ControllerNode::handle(const Request& request, ReplyFn reply) {
  const uint64_t id = next_request_++;
  waiting_[id] = std::move(reply);
  note("request #" + std::to_string(id) + " " + kind_name(request.kind) + " " + request.topic +
       (request.broker.value() >= 0 ? " broker " + std::to_string(request.broker.value()) : ""));
  switch (request.kind) {
    case Request::Kind::create_topic:
    case Request::Kind::delete_topic:
    case Request::Kind::create_partitions:
      lock([this, id, request] { decide_topic(id, request); });
      return;
    case Request::Kind::alter_config:
      lock([this, id, request] { decide_config(id, request); });
      return;
    case Request::Kind::allocate_producer_ids:
      lock([this, id, request] { decide_producer_ids(id, request); });
      return;
    case Request::Kind::register_broker:
      lock([this, id, request] { decide_registration(id, request); });
      return;
    case Request::Kind::heartbeat:
      heartbeat(id, request);
      return;
  }
}

// QuorumController::decide_and_commit with the topic decisions.
void ControllerNode::decide_topic(uint64_t id, const Request& request) {
  if (refuse_unless_active(id)) return;
  const metadata::Image& image = decision_image();
  metadata::TopicDecisions d;
  std::vector<Uuid> drawn;
  auto draw = [&] {
    Uuid u = new_id_();
    drawn.push_back(u);
    return u;
  };
  if (request.kind == Request::Kind::create_topic) {
    metadata::NewTopic t{.name = request.topic, .partitions = request.partitions,
                         .replication_factor = request.replication_factor};
    d = metadata::create_topics(image, config_, std::span(&t, 1), draw, false);
  } else if (request.kind == Request::Kind::delete_topic) {
    metadata::TopicRef t{.name = request.topic};
    d = metadata::delete_topics(image, config_, std::span(&t, 1));
  } else {
    d = metadata::create_partitions(image, request.topic, request.partitions, std::nullopt, false);
  }
  RUNNEL_ASSERT(d.answers.size() == 1, "one topic, %zu answers", d.answers.size());
  if (!d.answers[0]) {
    checker_.on_refused(request, drawn, d.records);
    answer(id, refused(d.answers[0].error()));
    return unlock();
  }
  commit(d.records, answer_when_committed(id, request, Reply{.topic = *d.answers[0]}));
}

void ControllerNode::decide_config(uint64_t id, const Request& request) {
  if (refuse_unless_active(id)) return;
  metadata::ConfigResourceChange change{
      .type = metadata::ConfigResourceType::topic,
      .name = request.topic,
      .ops = {metadata::ConfigOp{.name = "retention.ms", .type = metadata::ConfigOp::Type::set, .value = request.config_value}}};
  metadata::ConfigDecisions d = metadata::alter_configs(decision_image(), config_, std::span(&change, 1), true, false);
  RUNNEL_ASSERT(d.answers.size() == 1, "one config resource, %zu answers", d.answers.size());
  if (!d.answers[0]) {
    checker_.on_refused(request, {}, d.records);
    answer(id, refused(d.answers[0].error()));
    return unlock();
  }
  commit(d.records, answer_when_committed(id, request, Reply{}));
}

void ControllerNode::decide_producer_ids(uint64_t id, const Request& request) {
  if (refuse_unless_active(id)) return;
  auto d = metadata::allocate_producer_ids(decision_image(), request.broker, request.epoch);
  if (!d) {
    answer(id, refused(d.error()));
    return unlock();
  }
  std::vector<metadata::Record> records{d->record};
  commit(records, answer_when_committed(id, request, Reply{.block = d->block}));
}

// QuorumController::register_broker: a new incarnation replacing one that finished a controlled
// shutdown fences the old one first; the epoch is the offset the registration record will get.
void ControllerNode::decide_registration(uint64_t id, const Request& request) {
  if (refuse_unless_active(id)) return;
  const bool unclean = config_.topic_defaults.unclean_leader_election_enable;
  auto do_register = [this, id, request, unclean] {
    metadata::BrokerEpoch epoch{replica()->log().end_offset().value()};
    metadata::BrokerRegistrationRequest r{.broker_id = request.broker, .incarnation_id = request.incarnation,
                                          .listeners = {metadata::Endpoint{"PLAINTEXT", "sim", 9092, 0}}};
    auto d = metadata::register_broker(decision_image(), r, epoch, unclean);
    if (!d) {
      answer(id, refused(d.error()));
      return unlock();
    }
    commit(d->records, answer_when_committed(id, request, Reply{.epoch = d->epoch}));
  };
  const metadata::BrokerRegistration* old = decision_image().broker(request.broker);
  if (old != nullptr && !old->fenced && old->in_controlled_shutdown && old->incarnation_id != request.incarnation) {
    auto fenced = metadata::fence_broker(decision_image(), request.broker, unclean);
    if (fenced) {
      commit(fenced->records, [this, id, do_register](metadata::Answer<void> c) {
        if (!c) {
          answer(id, Reply{.error = c.error().code, .message = c.error().message});
          return unlock();
        }
        do_register();
      });
      return;
    }
  }
  do_register();
}

// QuorumController::heartbeat: activity and registration are checked on arrival; a state change
// is decided later, under the lock, on the image of that moment.
void ControllerNode::heartbeat(uint64_t id, const Request& request) {
  if (!active()) return answer(id, not_controller());
  auto reg = metadata::registered(image_, request.broker, request.epoch);
  if (!reg) return answer(id, refused(reg.error()));
  last_heartbeat_ms_[request.broker.value()] = now();
  const bool caught_up = request.metadata_offset.value() >= applied_.value() - 1;
  const bool fenced = (*reg)->fenced;
  const bool unclean = config_.topic_defaults.unclean_leader_election_enable;
  auto finish = [this, id, request](bool still_fenced) {
    Reply reply{.fenced = still_fenced};
    if (request.want_shut_down) {
      // The broker may go once it leads nothing (its partitions moved away).
      bool leads = false;
      for (const auto& [tid, topic] : image_.topics()) {
        for (const metadata::PartitionRegistration& p : topic->partitions) leads = leads || p.leader == request.broker;
      }
      reply.should_shut_down = !leads;
    }
    answer(id, std::move(reply));
  };
  if (request.want_shut_down && !(*reg)->in_controlled_shutdown && !fenced) {
    lock([this, request, unclean, finish] {
      auto d = metadata::begin_controlled_shutdown(decision_image(), request.broker, request.epoch, unclean);
      if (!d) {
        finish(false);
        return unlock();
      }
      commit(d->records, [this, finish](metadata::Answer<void>) {
        finish(false);
        unlock();
      });
    });
  } else if (fenced && caught_up && !request.want_shut_down) {
    lock([this, request, unclean, finish] {
      auto d = metadata::unfence_broker(decision_image(), request.broker, request.epoch, unclean);
      if (!d) {
        finish(true);
        return unlock();
      }
      commit(d->records, [this, finish](metadata::Answer<void> c) {
        finish(!c.has_value());
        unlock();
      });
    });
  } else {
    finish(fenced);
  }
}

// ---- liveness ----

// QuorumController::liveness_loop, one round.
void ControllerNode::liveness_tick() {
  if (replica() == nullptr || liveness_busy_) return;
  if (!active()) {
    liveness_epoch_ = LeaderEpoch{-1};
    return;
  }
  const int64_t t = now();
  if (liveness_epoch_ != replica()->epoch()) {
    // A new active controller: every broker gets a full session from now.
    liveness_epoch_ = replica()->epoch();
    last_heartbeat_ms_.clear();
    for (const auto& [id, reg] : image_.brokers()) last_heartbeat_ms_[id.value()] = t;
    return;
  }
  for (const auto& [id, reg] : image_.brokers()) {
    if (reg.fenced) continue;
    auto it = last_heartbeat_ms_.find(id.value());
    if (it == last_heartbeat_ms_.end()) {
      last_heartbeat_ms_[id.value()] = t;
      continue;
    }
    if (t - it->second <= config_.broker_session_timeout_ms) continue;
    fence(id);
    return;  // the loop waits for this fence before its next round
  }
}

void ControllerNode::fence(NodeId broker) {
  liveness_busy_ = true;
  lock([this, broker] {
    if (!active()) {
      liveness_busy_ = false;
      return unlock();
    }
    const bool unclean = config_.topic_defaults.unclean_leader_election_enable;
    auto d = metadata::fence_broker(decision_image(), broker, unclean);
    if (!d) {
      liveness_busy_ = false;
      return unlock();
    }
    note("fencing broker " + std::to_string(broker.value()) + ": no heartbeat in time");
    std::vector<metadata::Record> records = d->records;
    if (bugs_.fence_keeps_leadership) {
      // The bug: only the broker record, none of the partition changes that move leadership.
      std::erase_if(records, [](const metadata::Record& r) { return std::holds_alternative<metadata::PartitionChangeRecord>(r); });
    }
    commit(records, [this](metadata::Answer<void>) {
      liveness_busy_ = false;
      unlock();
    });
  });
}

}  // namespace runnel::controller_sim
