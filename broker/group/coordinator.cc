#include "broker/group/coordinator.h"

#include <algorithm>
#include <random>

#include "broker/group/offsets_partition.h"

namespace runnel::group {

Coordinator::Coordinator(CoordinatorConfig config, Timers& timers, Journal& journal)
    : config_(config),
      timers_(timers),
      journal_(journal),
      consumer_(std::make_unique<ConsumerGroupCoordinator>(*this, config.consumer, timers, journal)) {}

Coordinator::~Coordinator() {
  consumer_.reset();
  for (auto& [id, g] : groups_) cancel_timers(*g);
}

int32_t Coordinator::partition_for(const std::string& group_id) const {
  return offsets_partition_for(group_id, config_.offsets_partitions);
}

ErrorCode Coordinator::check_partition(const std::string& group_id) const {
  if (group_id.empty()) return ErrorCode::invalid_group_id;
  auto it = partitions_.find(partition_for(group_id));
  if (it == partitions_.end()) return ErrorCode::not_coordinator;
  if (it->second == Load::loading) return ErrorCode::coordinator_load_in_progress;
  return ErrorCode::none;
}

bool Coordinator::is_loaded(int32_t partition) const {
  auto it = partitions_.find(partition);
  return it != partitions_.end() && it->second == Load::loaded;
}

bool Coordinator::is_known(int32_t partition) const { return partitions_.count(partition) != 0; }

ClassicGroup* Coordinator::find(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : it->second.get();
}

const ClassicGroup* Coordinator::group(const std::string& id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : it->second.get();
}

ClassicGroup& Coordinator::get_or_create(const std::string& id) {
  auto& slot = groups_[id];
  if (!slot) {
    slot = std::make_unique<ClassicGroup>();
    slot->id = id;
    slot->offsets_partition = partition_for(id);
    slot->state_timestamp_ms = timers_.now_ms();
  }
  return *slot;
}

void Coordinator::transition(ClassicGroup& g, GroupState to) {
  g.state = to;
  g.state_timestamp_ms = timers_.now_ms();
}

void Coordinator::cancel_timers(ClassicGroup& g) {
  if (g.join_timer != 0) timers_.cancel(g.join_timer);
  g.join_timer = 0;
  for (auto& [id, m] : g.members) {
    if (m.heartbeat_timer != 0) timers_.cancel(m.heartbeat_timer);
    m.heartbeat_timer = 0;
  }
  for (auto& [id, t] : g.pending_timers) timers_.cancel(t);
  g.pending_timers.clear();
  clear_pending_sync(g);
}

void Coordinator::remove_group(const std::string& id) {
  auto it = groups_.find(id);
  if (it == groups_.end()) return;
  cancel_timers(*it->second);
  groups_.erase(it);
}

std::string Coordinator::new_member_id(const std::string& client_id) {
  // Kafka: clientId + "-" + a random UUID. The counter makes ids unique even if two random
  // draws collided.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng() ^ ++member_counter_;
  char buf[40];
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<uint32_t>(a >> 32),
           static_cast<uint32_t>((a >> 16) & 0xffff), static_cast<uint32_t>(0x4000 | (a & 0x0fff)),
           static_cast<uint32_t>(0x8000 | ((b >> 48) & 0x3fff)),
           static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return client_id + "-" + buf;
}

void Coordinator::store_group(ClassicGroup& g, std::function<void(ErrorCode)> done) {
  GroupValue v;
  v.protocol_type = g.protocol_type;
  v.generation = g.generation;
  v.protocol_name = g.protocol_name;
  v.leader = g.leader;
  v.state_timestamp_ms = g.state_timestamp_ms;
  for (const auto& [id, m] : g.members) {
    MemberValue mv;
    mv.member_id = m.id;
    mv.instance_id = m.instance_id;
    mv.client_id = m.client_id;
    mv.client_host = m.client_host;
    mv.rebalance_timeout_ms = m.rebalance_timeout_ms;
    mv.session_timeout_ms = m.session_timeout_ms;
    if (g.protocol_name) {
      if (const auto* md = m.metadata_for(*g.protocol_name)) mv.subscription = *md;
    }
    mv.assignment = m.assignment;
    v.members.push_back(std::move(mv));
  }
  std::vector<JournalRecord> records;
  records.push_back({encode_key(GroupKey{g.id}), encode_value(v)});
  append_records(g.offsets_partition, std::move(records), std::move(done));
}

void Coordinator::append_records(int32_t partition, std::vector<JournalRecord> records,
                                 std::function<void(ErrorCode)> done) {
  // Kafka's coordinator builds one batch bounded by the partition's max.message.bytes and fails
  // the write with RecordTooLargeException when the records do not fit (e.g. a group record
  // carrying megabytes of member metadata). Upper bound: the v2 batch header (61 bytes) plus,
  // per record, its varint framing (at most 32 bytes) and its key and value.
  size_t size = 61;
  for (const JournalRecord& r : records) size += 32 + r.key.size() + (r.value ? r.value->size() : 0);
  if (size > static_cast<size_t>(std::max(config_.max_record_batch_bytes, 0))) {
    timers_.schedule(0, [done = std::move(done)] { done(ErrorCode::message_too_large); });
    return;
  }
  journal_.append(partition, std::move(records), std::move(done));
}

ErrorCode coordinator_write_error(ErrorCode e) {
  switch (e) {
    case ErrorCode::none: return ErrorCode::none;
    case ErrorCode::unknown_topic_or_partition:
    case ErrorCode::not_enough_replicas:
    case ErrorCode::request_timed_out:
      return ErrorCode::coordinator_not_available;
    case ErrorCode::not_leader_or_follower:
    case ErrorCode::kafka_storage_error:
      return ErrorCode::not_coordinator;
    default:
      return ErrorCode::unknown_server_error;
  }
}

}  // namespace runnel::group
