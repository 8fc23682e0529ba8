#pragma once

// A manual clock with timers and an in-memory journal whose appends complete when the test
// says so, so each test controls exactly when time passes and when writes become durable.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/group/coordinator.h"

namespace runnel::group::testing {

class FakeTimers final : public Timers {
 public:
  int64_t now_ms() override { return now_; }
  Id schedule(int64_t delay_ms, std::function<void()> fn) override {
    Id id = next_++;
    timers_[{now_ + delay_ms, id}] = std::move(fn);
    return id;
  }
  void cancel(Id id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }
  // Moves the clock forward, firing due timers in deadline order.
  void advance(int64_t ms) {
    int64_t target = now_ + ms;
    while (!timers_.empty() && timers_.begin()->first.first <= target) {
      auto it = timers_.begin();
      now_ = it->first.first;
      auto fn = std::move(it->second);
      timers_.erase(it);
      fn();
    }
    now_ = target;
  }
  size_t pending() const { return timers_.size(); }

 private:
  int64_t now_ = 1'000'000;
  Id next_ = 1;
  std::map<std::pair<int64_t, Id>, std::function<void()>> timers_;
};

class FakeJournal final : public Journal {
 public:
  struct Entry {
    int32_t partition;
    JournalRecord record;
  };
  void append(int32_t partition, std::vector<JournalRecord> records, std::function<void(ErrorCode)> done) override {
    if (fail_next != ErrorCode::none) {
      ErrorCode e = std::exchange(fail_next, ErrorCode::none);
      queue_.emplace_back(std::vector<Entry>{}, [done = std::move(done), e](ErrorCode) { done(e); });
      if (auto_complete) complete_all();
      return;
    }
    std::vector<Entry> es;
    for (auto& r : records) es.push_back({partition, std::move(r)});
    queue_.emplace_back(std::move(es), std::move(done));
    if (auto_complete) complete_all();
  }
  void complete_all() {
    while (!queue_.empty()) {
      auto [es, done] = std::move(queue_.front());
      queue_.erase(queue_.begin());
      for (auto& e : es) log.push_back(std::move(e));
      done(ErrorCode::none);
    }
  }
  size_t queued() const { return queue_.size(); }

  std::vector<Entry> log;  // durable records in append order
  bool auto_complete = true;
  ErrorCode fail_next = ErrorCode::none;

 private:
  std::vector<std::pair<std::vector<Entry>, std::function<void(ErrorCode)>>> queue_;
};

// A coordinator with every partition loaded and short timeouts.
struct Harness {
  FakeTimers timers;
  FakeJournal journal;
  CoordinatorConfig config = [] {
    CoordinatorConfig c;
    c.offsets_partitions = 4;
    c.min_session_timeout_ms = 100;
    c.initial_rebalance_delay_ms = 300;
    c.offsets_retention_ms = 60'000;
    return c;
  }();
  Coordinator coord{config, timers, journal};

  Harness() {
    for (int32_t p = 0; p < config.offsets_partitions; ++p) {
      coord.begin_load(p);
      coord.finish_load(p);
    }
  }

  static JoinRequest join_req(const std::string& group, const std::string& member, std::string meta = "m",
                              std::optional<std::string> instance = std::nullopt) {
    JoinRequest r;
    r.group_id = group;
    r.member_id = member;
    r.instance_id = std::move(instance);
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    r.session_timeout_ms = 1000;
    r.rebalance_timeout_ms = 5000;
    r.protocol_type = "consumer";
    r.protocols = {Protocol{"range", std::vector<uint8_t>(meta.begin(), meta.end())}};
    r.require_known_member_id = true;
    return r;
  }

  // Starts a join; the answer lands in the returned slot when the coordinator gives it.
  std::shared_ptr<std::optional<JoinResult>> join(JoinRequest r) {
    auto slot = std::make_shared<std::optional<JoinResult>>();
    coord.join(std::move(r), [slot](JoinResult res) { *slot = std::move(res); });
    return slot;
  }
  std::shared_ptr<std::optional<SyncResult>> sync(const std::string& group, int32_t gen, const std::string& member,
                                                  std::vector<std::pair<std::string, std::vector<uint8_t>>> a = {},
                                                  std::optional<std::string> instance = std::nullopt) {
    auto slot = std::make_shared<std::optional<SyncResult>>();
    SyncRequest r;
    r.group_id = group;
    r.generation = gen;
    r.member_id = member;
    r.instance_id = std::move(instance);
    r.assignments = std::move(a);
    coord.sync(std::move(r), [slot](SyncResult res) { *slot = std::move(res); });
    return slot;
  }
  // KIP-394 two-step join; returns the member id (the join itself is left pending).
  std::pair<std::string, std::shared_ptr<std::optional<JoinResult>>> join_new(const std::string& group,
                                                                              std::string meta = "m") {
    auto first = join(join_req(group, "", meta));
    EXPECT_TRUE(first->has_value());
    EXPECT_EQ((*first)->error, ErrorCode::member_id_required);
    std::string id = (*first)->member_id;
    return {id, join(join_req(group, id, meta))};
  }
};

inline std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace runnel::group::testing
