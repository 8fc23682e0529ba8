#pragma once

#include <coroutine>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "broker/io/completion.h"
#include "broker/io/ring.h"

namespace runnel::server {

// Long-poll Fetch support on the core that holds the connection.
//
// A Fetch that found too little data asks each partition's owner core to tell this core about
// the partition's next append (Partition::watch, one-shot, a bit per core). The owner then sends
// one IORING_OP_MSG_RING wake-up per watching core, carrying the partition's uid; this class
// receives it and resumes the Fetches waiting on that uid.
//
// No wake-up can be lost between "read found nothing" and "now waiting": every wake-up bumps an
// epoch, and a Fetch compares the epochs of its partitions against a snapshot taken before it
// read; a newer epoch means "read again" instead of "wait".
class AppendWatch final : public io::Completion {
 public:
  class Waiter final : public io::Completion {
   public:
    explicit Waiter(io::Ring& ring) : ring_(ring) {}
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { handle_ = h; }
    void await_resume() const noexcept {}
    // Woken by an append (res >= 0) or by its deadline (-ETIME); only the first counts.
    void complete(int32_t res, uint32_t) override;
    void arm_timer(io::Clock::time_point deadline) { timer_ = ring_.timers().add(deadline, this); }

   private:
    io::Ring& ring_;
    std::coroutine_handle<> handle_;
    io::TimerQueue::Id timer_ = 0;
    bool fired_ = false;
  };

  uint64_t epoch() const { return epoch_; }
  // The epoch of the latest wake-up for `uid` (0 if none yet).
  uint64_t epoch_of(int32_t uid) const;

  void add(int32_t uid, Waiter* w) { waiting_[uid].push_back(w); }
  void remove(int32_t uid, Waiter* w);

  // Shutdown: resumes every waiting Fetch now; stopped() then tells them not to wait again, so
  // they answer with what they have instead of waiting out max_wait_ms.
  void stop();
  bool stopped() const { return stopped_; }

  // A wake-up message from an owner core: res = partition uid.
  void complete(int32_t res, uint32_t flags) override;

 private:
  uint64_t epoch_ = 0;
  bool stopped_ = false;
  std::unordered_map<int32_t, uint64_t> last_wake_;
  std::unordered_map<int32_t, std::vector<Waiter*>> waiting_;
};

}  // namespace runnel::server
