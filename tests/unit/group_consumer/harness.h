#pragma once

// A coordinator with every partition loaded, a topic catalog, and one-call heartbeats; built on
// the classic tests' fake clock and journal (tests/unit/group/fakes.h).

#include <string>
#include <vector>

#include "tests/unit/group/fakes.h"

namespace runnel::group::testing {

inline Uuid topic_id(uint8_t n) {
  Uuid u;
  u.bytes[15] = n;
  return u;
}

inline Assignment parts(const Uuid& t, std::initializer_list<int32_t> ps) { return Assignment{{t, std::set<int32_t>(ps)}}; }

// Built field by field: g++ 12 -O3 reports a false -Wmaybe-uninitialized on nested braces here.
inline OffsetCommitRequest commit_req(const std::string& member, int32_t epoch, const std::string& topic,
                                      int32_t partition, int64_t offset) {
  OffsetCommitRequest r;
  r.group_id = "g";
  r.generation = epoch;
  r.member_id = member;
  OffsetCommitPartition p;
  p.tp.topic = topic;
  p.tp.partition = partition;
  p.offset = offset;
  r.partitions.push_back(std::move(p));
  return r;
}

struct CgHarness {
  FakeTimers timers;
  FakeJournal journal;
  CoordinatorConfig config = [] {
    CoordinatorConfig c;
    c.offsets_partitions = 4;
    c.min_session_timeout_ms = 100;
    c.consumer.session_timeout_ms = 1000;
    c.consumer.heartbeat_interval_ms = 100;
    return c;
  }();
  std::unique_ptr<Coordinator> coord = std::make_unique<Coordinator>(config, timers, journal);
  TopicCatalog topics;
  Uuid foo = topic_id(1), bar = topic_id(2);

  CgHarness() {
    load_all();
    add_topic("foo", foo, 6);
    add_topic("bar", bar, 3);
  }
  void load_all() {
    for (int32_t p = 0; p < config.offsets_partitions; ++p) {
      coord->begin_load(p);
      coord->finish_load(p);
    }
  }
  void add_topic(const std::string& name, Uuid id, int32_t n) {
    topics.add(TopicMeta{name, id, n});
    ++topics.version;
  }
  ConsumerGroupCoordinator& cg() { return coord->consumer_groups(); }
  const ConsumerGroup& group(const std::string& id = "g") { return *cg().group(id); }

  static ConsumerHeartbeatRequest join(const std::string& member, std::vector<std::string> topics_,
                                       const std::string& group = "g") {
    ConsumerHeartbeatRequest r;
    r.group_id = group;
    r.member_id = member;
    r.member_epoch = 0;
    r.rebalance_timeout_ms = 5000;
    r.subscribed_topic_names = std::move(topics_);
    r.owned = Assignment{};
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    return r;
  }
  static ConsumerHeartbeatRequest beat(const std::string& member, int32_t epoch,
                                       std::optional<Assignment> owned = std::nullopt, const std::string& group = "g") {
    ConsumerHeartbeatRequest r;
    r.group_id = group;
    r.member_id = member;
    r.member_epoch = epoch;
    r.owned = std::move(owned);
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    return r;
  }
  ConsumerHeartbeatResult send(ConsumerHeartbeatRequest r) {
    ConsumerHeartbeatResult out;
    out.error = ErrorCode::unknown_server_error;
    bool called = false;
    cg().heartbeat(std::move(r), topics, [&](ConsumerHeartbeatResult res) {
      out = std::move(res);
      called = true;
    });
    EXPECT_TRUE(called) << "the journal completes at once, so the answer must have come";
    return out;
  }
  // Replays the journal into a fresh coordinator, as a broker restart does.
  void restart() {
    coord.reset();
    coord = std::make_unique<Coordinator>(config, timers, journal);
    for (int32_t p = 0; p < config.offsets_partitions; ++p) {
      coord->begin_load(p);
      for (const auto& e : journal.log) {
        if (e.partition != p) continue;
        std::optional<std::string_view> v;
        if (e.record.value) v = *e.record.value;
        coord->replay(p, e.record.key, v);
      }
      coord->finish_load(p);
    }
  }
};

}  // namespace runnel::group::testing
