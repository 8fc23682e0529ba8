#include "broker/server/append_watch.h"

#include <algorithm>
#include <cerrno>

namespace runnel::server {

void AppendWatch::Waiter::complete(int32_t res, uint32_t) {
  if (fired_) return;
  fired_ = true;
  if (res != -ETIME && timer_ != 0) ring_.timers().cancel(timer_);
  if (handle_) handle_.resume();
}

uint64_t AppendWatch::epoch_of(int32_t uid) const {
  auto it = last_wake_.find(uid);
  return it == last_wake_.end() ? 0 : it->second;
}

void AppendWatch::remove(int32_t uid, Waiter* w) {
  auto it = waiting_.find(uid);
  if (it == waiting_.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), w), v.end());
  if (v.empty()) waiting_.erase(it);
}

void AppendWatch::stop() {
  stopped_ = true;
  // One waiter at a time, taken out of every list before it is resumed (its Fetch's remove()
  // calls are then no-ops), so each round makes progress whatever the Fetch does next.
  while (!waiting_.empty()) {
    Waiter* w = waiting_.begin()->second.front();
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      std::erase(it->second, w);
      it = it->second.empty() ? waiting_.erase(it) : std::next(it);
    }
    w->complete(0, 0);
  }
}

void AppendWatch::complete(int32_t uid, uint32_t) {
  last_wake_[uid] = ++epoch_;
  auto it = waiting_.find(uid);
  if (it == waiting_.end()) return;
  // Resuming a Fetch may add or remove waiters (its own), so walk a copy and skip any that
  // left in the meantime.
  std::vector<Waiter*> copy = it->second;
  for (Waiter* w : copy) {
    auto cur = waiting_.find(uid);
    if (cur == waiting_.end()) break;
    if (std::find(cur->second.begin(), cur->second.end(), w) == cur->second.end()) continue;
    w->complete(0, 0);
  }
}

}  // namespace runnel::server
