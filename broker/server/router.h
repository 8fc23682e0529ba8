#pragma once

// The one place where a request's work finds the core that does it, and the hop there. Handlers
// never call the cross-core primitive (cross_call.h) themselves.
//
// There are three kinds of destination:
//   - a partition's owner core: the core holding this broker's replica (Produce, Fetch,
//     ListOffsets, ...); Broker::owner_of hashes partitions to cores;
//   - a consumer group's coordinator core: the owner of the group's __consumer_offsets partition
//     (Kafka's coordinator is that partition's leader);
//   - the controller, which lives on core 0.
//
// Routing a partition is an outcome, not just a core (route()): today "here, on core N" or
// "unknown topic or partition"; a replica that vanished between routing and arrival (a topic
// deleted meanwhile) is NOT_LEADER_OR_FOLLOWER, as Kafka answers for a partition it does not
// lead. The cluster adds "not the leader here, the leader is broker B" and "forward to the
// controller on broker C" as further outcomes of route() and on_controller(): one place.
//
// Threading: a Router belongs to the core a request arrived on (`here`). Callables given to
// on_*() run on the destination core and may touch only what that core owns; they must capture
// by reference (see cross_call.h) and be awaited where they are passed:
// `co_await router.on_partition(tp, [&](cluster::Partition& p) -> io::Task<T> {...}, ...)`.

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include "broker/cluster/metadata_image.h"
#include "broker/cluster/partition.h"
#include "broker/io/task.h"
#include "broker/model/error_code.h"
#include "broker/model/topic_partition.h"
#include "broker/server/broker.h"
#include "broker/server/cross_call.h"
#include "broker/server/partition_router.h"
#include "broker/server/shard.h"

namespace runnel::server {

class Controller;
class GroupService;

class Router final : public PartitionRouter {
 public:
  explicit Router(Shard& here) : here_(here), broker_(here.broker()) {}

  // PartitionRouter (router.cc): the partition handlers' operations, each run on the owner core
  // (or, for sessions, the session's home core).
  Route route(const cluster::MetadataImage& image, const TopicPartition& tp) const override;
  io::Task<AppendOutcome> append(const TopicPartition& tp, const SharedBytes& batches, records::TimestampStamp ts,
                                 int16_t acks) override;
  io::Task<ReadOutcome> read(const TopicPartition& tp, const FetchPosition& pos, bool watch) override;
  io::Task<OffsetLookup> list_offset(const TopicPartition& tp, int64_t timestamp,
                                     int32_t current_leader_epoch) override;
  io::Task<SessionPlan> plan_session(const SessionRequest& req) override;
  io::Task<std::vector<bool>> report_session(int32_t session_id, bool incremental,
                                             const std::vector<PartitionReport>& reports) override;

  // Runs fn(Shard& owner, cluster::Partition&) -> io::Task<T> on tp's owner core, inside the
  // partition's gate, and returns its result. When that core holds no replica of tp (or it is
  // being removed), fn does not run and the result is missing(error).
  template <typename F, typename M>
  auto on_partition(const TopicPartition& tp, F&& fn, M&& missing)
      -> std::invoke_result_t<F&, Shard&, cluster::Partition&> {
    using TaskT = std::invoke_result_t<F&, Shard&, cluster::Partition&>;
    Shard& owner = broker_.shard(owner_core(tp));
    co_return co_await on(here_.ring(), owner.ring(), [&owner, &tp, &fn, &missing]() -> TaskT {
      cluster::Partition* p = owner.partition(tp.topic, tp.partition.value());
      if (p == nullptr) co_return missing(ErrorCode::not_leader_or_follower);
      // Inside the gate, the partition outlives fn even if its topic is deleted meanwhile.
      io::Gate::Holder inside(p->gate());
      if (!inside.ok()) co_return missing(ErrorCode::not_leader_or_follower);
      co_return co_await fn(owner, *p);
    });
  }

  // Runs fn(GroupService&) -> io::Task<T> on the coordinator core of `group_id`.
  template <typename F>
  auto on_group(const std::string& group_id, F&& fn) -> std::invoke_result_t<F&, GroupService&> {
    using TaskT = std::invoke_result_t<F&, GroupService&>;
    Shard& coordinator = broker_.shard(group_core(group_id));
    co_return co_await on(here_.ring(), coordinator.ring(),
                          [&coordinator, &fn]() -> TaskT { co_return co_await fn(coordinator.groups()); });
  }

  // Runs fn(Controller&) -> io::Task<T> on the controller's core.
  template <typename F>
  auto on_controller(F&& fn) -> std::invoke_result_t<F&, Controller&> {
    using TaskT = std::invoke_result_t<F&, Controller&>;
    Controller& controller = broker_.controller();
    co_return co_await on(here_.ring(), broker_.shard(kControllerCore).ring(),
                          [&controller, &fn]() -> TaskT { co_return co_await fn(controller); });
  }

  // Runs fn(Shard&) -> io::Task<T> on core `core` (for requests about every core, ListGroups).
  template <typename F>
  auto on_core(int core, F&& fn) -> std::invoke_result_t<F&, Shard&> {
    using TaskT = std::invoke_result_t<F&, Shard&>;
    Shard& target = broker_.shard(core);
    co_return co_await on(here_.ring(), target.ring(), [&target, &fn]() -> TaskT { co_return co_await fn(target); });
  }
  int core_count() const { return broker_.shard_count(); }

  int owner_core(const TopicPartition& tp) const { return broker_.owner_of(tp.topic, tp.partition.value()); }
  int group_core(const std::string& group_id) const;
  // The core a fetch session lives on (its id says); an id no core could have made is looked
  // up here.
  int session_core(int32_t session_id) const;

  static constexpr int kControllerCore = 0;

 private:
  Shard& here_;
  Broker& broker_;
};

}  // namespace runnel::server
