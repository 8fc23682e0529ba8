#include "operator/kube/work_queue.h"

#include <algorithm>

namespace runnel::kube {

WorkQueue::WorkQueue(QueueOptions options) : options_(options) {}

void WorkQueue::add_locked(const Key& key) {
  if (shutdown_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // done() re-queues it
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::add(const ObjectKey& key) {
  std::lock_guard lock(mu_);
  add_locked(to_key(key));
}

void WorkQueue::add_after(const ObjectKey& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  if (shutdown_) return;
  if (delay <= std::chrono::milliseconds::zero()) {
    add_locked(to_key(key));
    return;
  }
  auto when = Clock::now() + delay;
  auto [it, inserted] = waiting_.try_emplace(to_key(key), when);
  if (!inserted && when < it->second) it->second = when;
  cv_.notify_all();  // a sleeping get() may need to wake earlier
}

std::chrono::milliseconds WorkQueue::backoff_for(int failures) const {
  // base * 2^failures, computed in double to avoid overflow for large exponents.
  double ms = static_cast<double>(options_.base_delay.count());
  for (int i = 0; i < failures && ms < static_cast<double>(options_.max_delay.count()); ++i)
    ms *= 2;
  return std::min(std::chrono::milliseconds(static_cast<int64_t>(ms)), options_.max_delay);
}

void WorkQueue::add_rate_limited(const ObjectKey& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mu_);
    int& f = failures_[to_key(key)];
    delay = backoff_for(f);
    ++f;
  }
  add_after(key, delay);
}

std::chrono::milliseconds WorkQueue::next_backoff(const ObjectKey& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(to_key(key));
  return backoff_for(it == failures_.end() ? 0 : it->second);
}

void WorkQueue::forget(const ObjectKey& key) {
  std::lock_guard lock(mu_);
  failures_.erase(to_key(key));
}

int WorkQueue::num_requeues(const ObjectKey& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(to_key(key));
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promote_locked(Clock::time_point now) {
  // Ready delayed keys enter in ready-time order so that add_after ordering is kept.
  std::vector<std::pair<Clock::time_point, Key>> ready;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second <= now) {
      ready.emplace_back(it->second, it->first);
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  std::sort(ready.begin(), ready.end());
  for (const auto& [when, key] : ready) add_locked(key);
}

std::optional<ObjectKey> WorkQueue::get_until(std::optional<Clock::time_point> deadline) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (shutdown_) return std::nullopt;
    auto now = Clock::now();
    promote_locked(now);
    if (!queue_.empty()) {
      Key key = queue_.front();
      queue_.pop_front();
      dirty_.erase(key);
      processing_.insert(key);
      return from_key(key);
    }
    if (deadline && now >= *deadline) return std::nullopt;
    std::optional<Clock::time_point> wake = deadline;
    for (const auto& [k, when] : waiting_)
      if (!wake || when < *wake) wake = when;
    if (wake)
      cv_.wait_until(lock, *wake);
    else
      cv_.wait(lock);
  }
}

std::optional<ObjectKey> WorkQueue::get() { return get_until(std::nullopt); }

std::optional<ObjectKey> WorkQueue::get_for(std::chrono::milliseconds timeout) {
  return get_until(Clock::now() + timeout);
}

void WorkQueue::done(const ObjectKey& key) {
  std::lock_guard lock(mu_);
  Key k = to_key(key);
  processing_.erase(k);
  if (dirty_.count(k) && !shutdown_) {
    queue_.push_back(k);
    cv_.notify_one();
  }
}

void WorkQueue::shutdown() {
  std::lock_guard lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutdown_;
}

size_t WorkQueue::depth() {
  std::lock_guard lock(mu_);
  promote_locked(Clock::now());
  return queue_.size();
}

size_t WorkQueue::delayed() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

}  // namespace runnel::kube
