#include "broker/server/quorum_controller.h"

#include "broker/log/log.h"
#include "broker/metadata/cluster_image.h"
#include "broker/metadata/log_replay.h"
#include "broker/metadata/entry_codec.h"
#include "broker/metadata/record_codec.h"
#include "broker/quorum/quorum_driver.h"
#include "broker/server/broker.h"
#include "broker/server/controller.h"
#include "broker/server/cross_call.h"
#include "broker/server/shard.h"

namespace runnel::server {

namespace {

// How long a proposal may take to commit before the caller hears REQUEST_TIMED_OUT.
constexpr auto kCommitTimeout = std::chrono::seconds(30);
constexpr auto kLivenessTick = std::chrono::milliseconds(250);

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now().time_since_epoch()).count();
}

Uuid new_topic_id() { return Uuid::random(); }

}  // namespace

QuorumController::QuorumController(Broker& broker, quorum::QuorumDriver& driver)
    : broker_(broker),
      driver_(driver),
      publish_from_(driver.log().end_offset()),
      apply_wakeup_(driver.ring()),
      stop_(driver.ring()) {}

QuorumController::~QuorumController() { RUNNEL_ASSERT(tasks_.alive() == 0, "quorum controller destroyed while running"); }

void QuorumController::start() {
  start_from_snapshot();
  driver_.set_listener([this] { apply_wakeup_.wake(); });
  tasks_.spawn(apply_loop());
  tasks_.spawn(liveness_loop());
  tasks_.spawn(idle_loop());
}

io::Task<void> QuorumController::stop() {
  stopping_ = true;
  driver_.set_listener(nullptr);
  stop_.abort();
  apply_wakeup_.wake();
  wake_waiters();
  co_await tasks_.close();
}

bool QuorumController::active() const { return driver_.leader_ready() && applied_ >= driver_.committed(); }

void QuorumController::wake_waiters() {
  for (io::Wakeup* w : waiters_) w->wake();
}

bool QuorumController::speculating() const { return spec_.holds(driver_.status().epoch, applied_); }

const metadata::Image& QuorumController::decision_image() const {
  return spec_.decide_on(image_, driver_.status().epoch, applied_);
}

metadata::Answer<void> QuorumController::check_active() const {
  // Committed but not yet applied: decisions may go on when all of it is this leader's own
  // proposals, which the speculative image holds (the applier catches up in the background).
  const bool caught_up = active() || (driver_.leader_ready() && speculating());
  if (stopping_ || !caught_up) {
    return metadata::refuse(ErrorCode::not_controller, "This node is not the active controller.");
  }
  return {};
}

// ---- applying ----

bool QuorumController::apply_committed() {
  const bool installed = install_snapshot();
  const Offset hw = driver_.committed();
  // Records below the log start are gone (a snapshot that did not load was logged).
  if (applied_ >= hw || applied_ < driver_.log().start_offset()) return installed;
  metadata::Replay r = metadata::replay_committed(image_, driver_.log(), applied_, hw);
  for (const metadata::ReplayProblem& p : r.refused) {
    // Refused by the replay rules: the image stays as it was for this record (Kafka logs the
    // same "metadata apply error" and moves on).
    RUNNEL_LOG_LIMITED(error, "metadata record at offset %lld does not apply: %s", static_cast<long long>(p.offset.value()),
                       p.what.c_str());
  }
  if (r.undecodable) {
    // A record this version cannot read: it was written by a newer controller. Kafka's broker
    // stops applying (and raises a fault metric); so does this one, loudly, and retries on
    // every commit (applied_ stays before the record, so this node never decides again).
    RUNNEL_LOG_LIMITED(error, "metadata record at offset %lld does not decode (%s); applying stops there",
                       static_cast<long long>(r.undecodable->offset.value()), r.undecodable->what.c_str());
  }
  applied_ = r.applied;
  if (r.changed) image_ = std::move(r.image);
  return r.changed || installed;
}

io::Task<void> QuorumController::publish() {
  const config::BrokerConfig& cfg = broker_.config();
  metadata::ClusterView view;
  view.cluster_id = broker_.controller().image()->cluster_id;
  // Metadata's ControllerId: as a Kafka broker in KRaft mode, a live broker rather than the
  // active controller, which clients cannot reach (it may be a controller-only node) and which
  // may die; admin requests sent to any broker are forwarded. This broker when it is unfenced,
  // else the first unfenced one.
  view.controller_id = NodeId{-1};
  const NodeId self = cfg.node_id;
  if (const metadata::BrokerRegistration* me = image_.broker(self); me != nullptr && !me->fenced) {
    view.controller_id = self;
  } else {
    for (const auto& [id, reg] : image_.brokers()) {
      if (!reg.fenced) {
        view.controller_id = id;
        break;
      }
    }
  }
  if (!cfg.advertised_listeners.empty()) view.listener_name = cfg.advertised_listeners.front().name;
  auto next = std::make_shared<const cluster::MetadataImage>(metadata::to_cluster_image(image_, cfg, view));
  co_await broker_.controller().install(next);
  if (!published_) {
    RUNNEL_LOG(info, "metadata: first image published at offset %lld (%zu brokers, %zu topics)",
               static_cast<long long>(applied_.value()), image_.brokers().size(), image_.topics().size());
  }
  published_ = true;
}

io::Task<void> QuorumController::apply_loop() {
  while (!stopping_) {
    bool changed = apply_committed();
    if (applied_ >= publish_from_ && (changed || !published_)) co_await publish();
    maybe_snapshot();
    wake_waiters();
    co_await apply_wakeup_.wait();
  }
}

// ---- proposing ----

metadata::Answer<QuorumController::Proposal> QuorumController::propose(const std::vector<metadata::Record>& records) {
  Proposal p;
  p.epoch = driver_.status().epoch;
  if (records.empty()) return p;
  // One entry for the whole decision, so it commits whole or not at all (entry_codec.h).
  std::vector<uint8_t> bytes = metadata::encode_entry(records);
  auto proposed = driver_.propose({std::string(bytes.begin(), bytes.end())});
  if (!proposed) return metadata::refuse(ErrorCode::not_controller, "This node is not the active controller.");
  // The next decision sees these records (speculative_image.h).
  spec_.add(decision_image(), records, *proposed, p.epoch);
  p.last = proposed->last;
  return p;
}

io::Task<metadata::Answer<void>> QuorumController::commit(const std::vector<metadata::Record>& records) {
  auto proposed = propose(records);
  if (!proposed) co_return Unexpected(proposed.error());
  co_return co_await await_commit(*proposed);
}

io::Task<metadata::Answer<void>> QuorumController::await_commit(Proposal p) {
  if (!p.last) co_return metadata::Answer<void>{};
  const LeaderEpoch epoch = p.epoch;
  const Offset last = *p.last;
  const auto deadline = io::Clock::now() + kCommitTimeout;
  io::Wakeup wake(driver_.ring());
  waiters_.push_back(&wake);
  metadata::Answer<void> outcome;
  for (;;) {
    if (applied_ > last) break;
    quorum::QuorumStatus s = driver_.status();
    if (stopping_ || s.epoch != epoch || s.role != raft::Role::leader) {
      outcome = metadata::refuse(ErrorCode::not_controller, "The controller moved before the change was committed.");
      break;
    }
    if (io::Clock::now() >= deadline) {
      outcome = metadata::refuse(ErrorCode::request_timed_out, "The change was not committed in time.");
      break;
    }
    co_await wake.wait(deadline);
  }
  std::erase(waiters_, &wake);
  co_return outcome;
}

template <typename Decisions, typename Decide>
io::Task<Decisions> QuorumController::decide_and_commit(size_t items, Decide decide) {
  Decisions d;
  metadata::Answer<Proposal> proposed;
  {
    auto guard = co_await mutex_.lock();
    if (auto active = check_active(); !active) {
      for (size_t i = 0; i < items; ++i) d.answers.push_back(Unexpected(active.error()));
      co_return d;
    }
    d = decide(decision_image());
    proposed = propose(d.records);
  }  // the next decision may start: it sees this one's records in the speculative image
  metadata::Answer<void> committed;
  if (!proposed) {
    committed = Unexpected(proposed.error());
  } else {
    committed = co_await await_commit(*proposed);
  }
  if (!committed) {
    for (auto& a : d.answers) {
      if (a) a = Unexpected(committed.error());
    }
  }
  co_return d;
}

io::Task<metadata::TopicDecisions> QuorumController::create_topics(std::vector<metadata::NewTopic> topics,
                                                                   bool validate_only) {
  auto decide = [&](const metadata::Image& image) {
    return metadata::create_topics(image, broker_.config(), topics, new_topic_id, validate_only);
  };
  co_return co_await decide_and_commit<metadata::TopicDecisions>(topics.size(), decide);
}

io::Task<metadata::TopicDecisions> QuorumController::delete_topics(std::vector<metadata::TopicRef> topics) {
  auto decide = [&](const metadata::Image& image) { return metadata::delete_topics(image, broker_.config(), topics); };
  co_return co_await decide_and_commit<metadata::TopicDecisions>(topics.size(), decide);
}

io::Task<metadata::TopicDecisions> QuorumController::create_partitions(
    std::string topic, int32_t new_total, std::optional<std::vector<std::vector<NodeId>>> assignment,
    bool validate_only) {
  auto decide = [&](const metadata::Image& image) {
    return metadata::create_partitions(image, topic, new_total, assignment, validate_only);
  };
  co_return co_await decide_and_commit<metadata::TopicDecisions>(1, decide);
}

io::Task<metadata::ConfigDecisions> QuorumController::alter_configs(std::vector<metadata::ConfigResourceChange> changes,
                                                                    bool incremental, bool validate_only) {
  auto decide = [&](const metadata::Image& image) {
    return metadata::alter_configs(image, broker_.config(), changes, incremental, validate_only);
  };
  co_return co_await decide_and_commit<metadata::ConfigDecisions>(changes.size(), decide);
}

io::Task<metadata::Answer<metadata::ProducerIdBlock>> QuorumController::allocate_producer_ids(NodeId broker,
                                                                                               metadata::BrokerEpoch epoch) {
  auto guard = co_await mutex_.lock();
  if (auto active = check_active(); !active) co_return Unexpected(active.error());
  auto d = metadata::allocate_producer_ids(decision_image(), broker, epoch);
  if (!d) co_return Unexpected(d.error());
  std::vector<metadata::Record> records;
  records.emplace_back(d->record);
  if (auto c = co_await commit(records); !c) co_return Unexpected(c.error());
  co_return d->block;
}

io::Task<metadata::Answer<void>> QuorumController::unregister_broker(NodeId broker) {
  auto guard = co_await mutex_.lock();
  if (auto active = check_active(); !active) co_return Unexpected(active.error());
  auto d = metadata::unregister_broker(decision_image(), broker, broker_.config().topic_defaults.unclean_leader_election_enable);
  if (!d) co_return Unexpected(d.error());
  if (auto c = co_await commit(d->records); !c) co_return Unexpected(c.error());
  last_heartbeat_ms_.erase(broker.value());
  co_return metadata::Answer<void>{};
}

io::Task<metadata::Answer<metadata::BrokerEpoch>> QuorumController::register_broker(metadata::BrokerRegistrationRequest request) {
  auto guard = co_await mutex_.lock();
  if (auto active = check_active(); !active) co_return Unexpected(active.error());
  // Before the first broker registers (and so before any client is served), the topics of a
  // single-node metadata file are in the log.
  co_await import_legacy_locked();
  // The epoch is the offset the registration record will get: the log's end now, since
  // decisions are serialised and nothing is proposed between this and the proposal.
  metadata::BrokerEpoch epoch{driver_.log().end_offset().value()};
  const bool unclean = broker_.config().topic_defaults.unclean_leader_election_enable;
  // A new incarnation replaces an old one that finished a controlled shutdown (it asked to go;
  // Kafka 4 lets a cleanly stopped broker back at once, KIP-966): fence the old one first, as
  // its session would have been. Another live incarnation is refused (DUPLICATE_BROKER_REGISTRATION).
  if (const metadata::BrokerRegistration* old = decision_image().broker(request.broker_id);
      old != nullptr && !old->fenced && old->in_controlled_shutdown && old->incarnation_id != request.incarnation_id) {
    auto fence = metadata::fence_broker(decision_image(), request.broker_id, unclean);
    if (fence) {
      if (auto c = co_await commit(fence->records); !c) co_return Unexpected(c.error());
      epoch = metadata::BrokerEpoch{driver_.log().end_offset().value()};
    }
  }
  auto d = metadata::register_broker(decision_image(), request, epoch, unclean);
  if (!d) co_return Unexpected(d.error());
  if (auto c = co_await commit(d->records); !c) co_return Unexpected(c.error());
  last_heartbeat_ms_[request.broker_id.value()] = steady_ms();
  co_return d->epoch;
}

io::Task<QuorumController::HeartbeatAnswer> QuorumController::heartbeat(NodeId broker, metadata::BrokerEpoch epoch,
                                                                        Offset metadata_offset, bool want_shut_down) {
  HeartbeatAnswer a;
  if (auto active = check_active(); !active) {
    a.error = ErrorCode::not_controller;
    co_return a;
  }
  auto reg = metadata::registered(image_, broker, epoch);
  if (!reg) {
    a.error = reg.error().code;
    co_return a;
  }
  last_heartbeat_ms_[broker.value()] = steady_ms();
  // Caught up: the broker has applied everything committed when it sent the heartbeat (Kafka
  // compares with the high watermark the same way).
  a.caught_up = metadata_offset.value() >= applied_.value() - 1;
  a.fenced = (*reg)->fenced;
  const bool unclean = broker_.config().topic_defaults.unclean_leader_election_enable;
  if (want_shut_down && !(*reg)->in_controlled_shutdown && !(*reg)->fenced) {
    auto guard = co_await mutex_.lock();
    auto d = metadata::begin_controlled_shutdown(decision_image(), broker, epoch, unclean);
    if (d) co_await commit(d->records);
  } else if (a.fenced && a.caught_up && !want_shut_down) {
    auto guard = co_await mutex_.lock();
    auto d = metadata::unfence_broker(decision_image(), broker, epoch, unclean);
    if (d) {
      if (auto c = co_await commit(d->records); c) a.fenced = false;
    }
  }
  if (want_shut_down) {
    // The broker may go once it leads nothing (its partitions moved away).
    bool leads = false;
    for (const auto& [id, topic] : image_.topics()) {
      for (const metadata::PartitionRegistration& p : topic->partitions) leads = leads || p.leader == broker;
    }
    a.should_shut_down = !leads;
  }
  co_return a;
}

// ---- the single-node metadata file, once ----

io::Task<void> QuorumController::import_legacy() {
  auto guard = co_await mutex_.lock();
  co_await import_legacy_locked();
}

io::Task<void> QuorumController::import_legacy_locked() {
  if (import_checked_ || !active()) co_return;
  import_checked_ = true;
  const cluster::ImagePtr& legacy = broker_.legacy_image();
  const NodeId self = broker_.config().node_id;
  if (legacy == nullptr || legacy->topics.empty() || !image_.topics().empty()) co_return;
  if (driver_.options().voters.size() != 1) {
    RUNNEL_LOG(warn, "metadata.json holds %zu topics, not imported: only a lone voter imports its own file",
               legacy->topics.size());
    co_return;
  }
  std::vector<metadata::Record> records;
  for (const auto& [name, topic] : legacy->topics) {
    records.emplace_back(metadata::TopicRecord{name, topic->id});
    for (const auto& [key, value] : topic->overrides) {
      records.emplace_back(metadata::ConfigRecord{metadata::ConfigResourceType::topic, name, key, value});
    }
    for (const cluster::PartitionInfo& p : topic->partitions) {
      metadata::PartitionRecord r;
      r.partition_id = PartitionId{p.partition};
      r.topic_id = topic->id;
      r.replicas = {self};
      r.isr = {self};
      r.leader = self;
      r.leader_epoch = p.leader_epoch;
      records.emplace_back(std::move(r));
    }
  }
  if (broker_.legacy_producer_id_end() > image_.producer_ids().next_producer_id) {
    records.emplace_back(metadata::ProducerIdsRecord{self, metadata::BrokerEpoch{0}, broker_.legacy_producer_id_end()});
  }
  auto committed = co_await commit(records);
  if (!committed) {
    import_checked_ = false;  // try again on the next activation
    co_return;
  }
  RUNNEL_LOG(info, "imported %zu topics from the single-node metadata file into the metadata log",
             legacy->topics.size());
}

// ---- liveness ----

io::Task<void> QuorumController::idle_loop() {
  const int64_t interval_ms = broker_.config().metadata_max_idle_interval_ms;
  if (interval_ms <= 0) co_return;
  Offset seen{-1};
  while (!stopping_) {
    co_await stop_.sleep_for(std::chrono::milliseconds(interval_ms));
    if (stopping_) break;
    const Offset end = driver_.log().end_offset();
    // Something was appended within the interval (or we do not lead): nothing to do.
    if (end != seen || !active()) {
      seen = end;
      continue;
    }
    auto guard = co_await mutex_.lock();
    if (!active() || driver_.log().end_offset() != end) continue;
    (void)propose({metadata::NoOpRecord{}});  // not awaited: nobody waits for a no-op
    seen = driver_.log().end_offset();
  }
}

io::Task<void> QuorumController::liveness_loop() {
  const int64_t session_ms = broker_.config().broker_session_timeout_ms;
  const bool unclean = broker_.config().topic_defaults.unclean_leader_election_enable;
  while (!stopping_) {
    co_await stop_.sleep_for(kLivenessTick);
    if (stopping_) break;
    if (!driver_.leader_ready()) {
      liveness_epoch_ = LeaderEpoch{-1};
      continue;
    }
    // Leading, but the applier is a moment behind the high watermark (it is after every commit,
    // a NoOpRecord's included): skip this tick without forgetting the heartbeats, or every such
    // moment would give each broker a new session and fencing would come late.
    if (!active()) continue;
    if (!import_checked_) co_await import_legacy();
    const int64_t now = steady_ms();
    if (liveness_epoch_ != driver_.status().epoch) {
      // A new active controller: every broker gets a full session from now.
      liveness_epoch_ = driver_.status().epoch;
      last_heartbeat_ms_.clear();
      for (const auto& [id, reg] : image_.brokers()) last_heartbeat_ms_[id.value()] = now;
      continue;
    }
    for (const auto& [id, reg] : image_.brokers()) {
      if (reg.fenced) continue;
      auto it = last_heartbeat_ms_.find(id.value());
      if (it == last_heartbeat_ms_.end()) {
        last_heartbeat_ms_[id.value()] = now;
        continue;
      }
      if (now - it->second <= session_ms) continue;
      auto guard = co_await mutex_.lock();
      if (!active()) break;
      auto d = metadata::fence_broker(decision_image(), id, unclean);
      if (!d) continue;
      RUNNEL_LOG(warn, "fencing broker %d: no heartbeat for %lld ms", id.value(),
                 static_cast<long long>(now - it->second));
      co_await commit(d->records);
      break;  // the image changed under the iteration
    }
  }
}

}  // namespace runnel::server
