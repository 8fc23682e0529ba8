#include "workload.h"

namespace runnel::controller_sim {

namespace {

constexpr int kAdminAttemptsMax = 8;
constexpr int kAdminInFlightMax = 3;
const char* const kTopicNames[] = {"orders", "payments", "clicks", "audit", "logs"};

template <typename T, size_t N>
T pick(raft::Random& r, const T (&choices)[N]) {
  return choices[r.below(N)];
}

bool retriable(const Reply& r) {
  return r.kind == Reply::Kind::lost || r.error == ErrorCode::not_controller || r.error == ErrorCode::request_timed_out;
}

}  // namespace

const char* kind_name(Request::Kind kind) {
  switch (kind) {
    case Request::Kind::create_topic: return "create_topic";
    case Request::Kind::delete_topic: return "delete_topic";
    case Request::Kind::create_partitions: return "create_partitions";
    case Request::Kind::alter_config: return "alter_config";
    case Request::Kind::allocate_producer_ids: return "allocate_producer_ids";
    case Request::Kind::register_broker: return "register_broker";
    case Request::Kind::heartbeat: return "heartbeat";
  }
  return "?";
}

Workload::Workload(World& world, ControllerCluster& cluster, WorkloadOptions options)
    : world_(world), cluster_(cluster), options_(options) {
  brokers_.resize(static_cast<size_t>(options.brokers));
  for (size_t i = 0; i < brokers_.size(); ++i) {
    brokers_[i].id = NodeId{static_cast<int32_t>(i)};
    brokers_[i].restart_ms = world.random().between(0, 500);
  }
}

void Workload::start(Broker& b) {
  b.up = true;
  ++b.generation;
  ++b.incarnation_seq;
  b.incarnation = Uuid{};
  b.incarnation.bytes[0] = 0xb0;
  b.incarnation.bytes[1] = static_cast<uint8_t>(b.id.value());
  for (int k = 0; k < 4; ++k) b.incarnation.bytes[static_cast<size_t>(12 + k)] = static_cast<uint8_t>(b.incarnation_seq >> (8 * k));
  b.epoch = metadata::BrokerEpoch{-1};
  b.in_flight = false;
  b.shutting_down = false;
  b.next_ms = world_.now();
  b.target = any_node();
  if (world_.tracing()) world_.note("broker " + std::to_string(b.id.value()) + " STARTS, incarnation " + std::to_string(b.incarnation_seq));
}

Offset Workload::broker_metadata_offset() {
  size_t i = any_node();
  if (!world_.up(i)) return Offset{-1};
  return Offset{cluster_.node(i).applied().value() - 1};
}

void Workload::step() {
  for (Broker& b : brokers_) step_broker(b);
  if (world_.now() >= next_admin_ms_) {
    next_admin_ms_ = world_.now() + world_.random().between(1, 2 * options_.admin_every_ms);
    if (admin_in_flight_ < kAdminInFlightMax) issue_admin();
  }
}

void Workload::step_broker(Broker& b) {
  raft::Random& r = world_.random();
  const int64_t now = world_.now();
  if (!b.up) {
    if (!frozen_ && now >= b.restart_ms) start(b);
    return;
  }
  if (!frozen_ && r.chance(options_.broker_crash_per_step)) {
    // kill -9: its heartbeats stop; a supervisor starts a new incarnation later.
    b.up = false;
    ++b.generation;
    ++crashes_;
    b.restart_ms = now + r.between(200, 4000);
    if (world_.tracing()) world_.note("broker " + std::to_string(b.id.value()) + " CRASHES");
    return;
  }
  if (!frozen_ && !b.shutting_down && b.epoch.value() >= 0 && r.chance(options_.broker_shutdown_per_step)) {
    b.shutting_down = true;
    if (world_.tracing()) world_.note("broker " + std::to_string(b.id.value()) + " begins a controlled shutdown");
  }
  if (b.in_flight || now < b.next_ms) return;
  const bool registering = b.epoch.value() < 0;
  Request q{.kind = registering ? Request::Kind::register_broker : Request::Kind::heartbeat, .broker = b.id,
            .incarnation = b.incarnation, .epoch = b.epoch, .metadata_offset = broker_metadata_offset(),
            .want_shut_down = b.shutting_down};
  b.in_flight = true;
  ++requests_;
  const size_t index = static_cast<size_t>(&b - brokers_.data());
  cluster_.send(b.target, q, [this, index, gen = b.generation, registering](const Reply& reply) {
    on_broker_reply(index, gen, registering, reply);
  });
}

void Workload::on_broker_reply(size_t index, uint64_t generation, bool registering, const Reply& reply) {
  Broker& b = brokers_[index];
  if (b.generation != generation || !b.up) return;
  b.in_flight = false;
  const int64_t now = world_.now();
  raft::Random& r = world_.random();
  if (retriable(reply)) {
    b.target = any_node();
    b.next_ms = now + r.between(20, 100);
    return;
  }
  if (registering) {
    if (reply.ok()) b.epoch = reply.epoch;
    // DUPLICATE_BROKER_REGISTRATION: the old incarnation is still alive for the controller.
    b.next_ms = now + (reply.ok() ? r.between(1, 50) : options_.heartbeat_ms);
    return;
  }
  if (reply.error == ErrorCode::stale_broker_epoch || reply.error == ErrorCode::broker_id_not_registered) {
    b.epoch = metadata::BrokerEpoch{-1};  // registers again
    b.next_ms = now + r.between(1, 50);
    return;
  }
  if (reply.ok() && b.shutting_down && reply.should_shut_down) {
    b.up = false;
    ++b.generation;
    b.restart_ms = now + r.between(200, 3000);
    if (world_.tracing()) world_.note("broker " + std::to_string(b.id.value()) + " STOPS after its controlled shutdown");
    return;
  }
  b.next_ms = now + options_.heartbeat_ms;
}

void Workload::issue_admin() {
  raft::Random& r = world_.random();
  AdminOp op;
  Request& q = op.request;
  q.topic = pick(r, kTopicNames);
  uint64_t kind = r.below(100);
  if (kind < 35) {
    q.kind = Request::Kind::create_topic;
    q.partitions = pick(r, {1, 1, 2, 3, 4, 0});
    q.replication_factor = pick(r, {int16_t{1}, int16_t{2}, int16_t{3}, int16_t{3}, int16_t{5}});
  } else if (kind < 50) {
    q.kind = Request::Kind::delete_topic;
  } else if (kind < 62) {
    q.kind = Request::Kind::create_partitions;
    q.partitions = static_cast<int32_t>(r.between(1, 6));
  } else if (kind < 77) {
    q.kind = Request::Kind::alter_config;
    q.config_value = std::to_string(r.between(1000, 99999));
  } else {
    q.kind = Request::Kind::allocate_producer_ids;
    const Broker& b = brokers_[r.below(brokers_.size())];
    q.broker = b.id;
    q.epoch = b.epoch;
  }
  ++admin_in_flight_;
  send_admin(std::move(op));
}

void Workload::send_admin(AdminOp op) {
  ++op.attempts;
  ++requests_;
  size_t target = any_node();
  Request q = op.request;
  cluster_.send(target, q, [this, op = std::move(op)](const Reply& reply) mutable {
    if (retriable(reply) && op.attempts < kAdminAttemptsMax) {
      world_.at(world_.now() + world_.random().between(20, 100), [this, op = std::move(op)]() mutable { send_admin(std::move(op)); });
      return;
    }
    --admin_in_flight_;
  });
}

std::string Workload::unsettled() const {
  std::optional<size_t> a = cluster_.active();
  if (!a) return "no active controller";
  const metadata::Image& image = cluster_.node(*a).image();
  for (const Broker& b : brokers_) {
    const metadata::BrokerRegistration* reg = image.broker(b.id);
    const std::string who = "broker " + std::to_string(b.id.value());
    if (!b.up) {
      if (reg != nullptr && !reg->fenced) return who + " stopped but is not fenced";
    } else if (!b.shutting_down) {
      if (reg == nullptr || reg->incarnation_id != b.incarnation) return who + " runs but its incarnation is not registered";
      if (reg->fenced) return who + " runs but is fenced";
    }
  }
  for (const auto& [id, topic] : image.topics()) {
    for (size_t p = 0; p < topic->partitions.size(); ++p) {
      const metadata::PartitionRegistration& part = topic->partitions[p];
      if (part.leader != metadata::kNoLeader) continue;
      for (NodeId i : part.isr) {
        const metadata::BrokerRegistration* reg = image.broker(i);
        if (reg != nullptr && !reg->fenced) {
          return topic->name + "-" + std::to_string(p) + " has no leader but unfenced ISR member " + std::to_string(i.value());
        }
      }
    }
  }
  return {};
}

}  // namespace runnel::controller_sim
