#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>

#include "broker/io/completion.h"

namespace runnel::io {

using Clock = std::chrono::steady_clock;

// Deadlines of one ring, fired by its event loop (which sleeps no longer than the earliest).
// Keeping timers in user space instead of IORING_OP_TIMEOUT makes cancellation free of races:
// a cancelled timer is simply gone, there is no late CQE that could touch a freed waiter.
class TimerQueue {
 public:
  using Id = uint64_t;

  Id add(Clock::time_point deadline, Completion* c);
  // Returns false when the timer already fired or was cancelled.
  bool cancel(Id id);
  std::optional<Clock::time_point> next_deadline() const;
  // Fires (complete(-ETIME, 0)) every timer due at `now`; returns how many fired.
  int fire_expired(Clock::time_point now);
  bool empty() const { return by_deadline_.empty(); }

 private:
  using Key = std::pair<Clock::time_point, Id>;
  std::map<Key, Completion*> by_deadline_;
  std::unordered_map<Id, Clock::time_point> deadline_of_;
  Id next_id_ = 1;
};

}  // namespace runnel::io
