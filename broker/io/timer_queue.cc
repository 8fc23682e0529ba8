#include "broker/io/timer_queue.h"

#include <cerrno>

namespace runnel::io {

TimerQueue::Id TimerQueue::add(Clock::time_point deadline, Completion* c) {
  Id id = next_id_++;
  by_deadline_.emplace(Key{deadline, id}, c);
  deadline_of_.emplace(id, deadline);
  return id;
}

bool TimerQueue::cancel(Id id) {
  auto it = deadline_of_.find(id);
  if (it == deadline_of_.end()) return false;
  by_deadline_.erase(Key{it->second, id});
  deadline_of_.erase(it);
  return true;
}

std::optional<Clock::time_point> TimerQueue::next_deadline() const {
  if (by_deadline_.empty()) return std::nullopt;
  return by_deadline_.begin()->first.first;
}

int TimerQueue::fire_expired(Clock::time_point now) {
  // One at a time: a completion may add or cancel other timers while it runs, and a cancelled
  // timer must never fire afterwards.
  int fired = 0;
  while (!by_deadline_.empty() && by_deadline_.begin()->first.first <= now) {
    auto it = by_deadline_.begin();
    Completion* c = it->second;
    deadline_of_.erase(it->first.second);
    by_deadline_.erase(it);
    c->complete(-ETIME, 0);
    ++fired;
  }
  return fired;
}

}  // namespace runnel::io
