#pragma once

#include <liburing.h>

#include <cstdint>

namespace runnel::io {

// Every SQE's user_data is a pointer to a Completion (or 0 for "ignore the CQE"). One-shot
// awaitables, multishot accept/recv handlers and cross-ring messages all implement it, so the
// event loop needs a single dispatch: static_cast<Completion*>(user_data)->complete(cqe).
// A Completion must stay alive until its last CQE (for multishot: the one without
// IORING_CQE_F_MORE).
class Completion {
 public:
  virtual void complete(int32_t res, uint32_t flags) = 0;

 protected:
  ~Completion() = default;
};

// Reserved user_data values (never valid pointers).
inline constexpr uint64_t kIgnoreCqe = 0;         // fire-and-forget ops (cancels): any result is fine
inline constexpr uint64_t kMsgRingSenderCqe = 1;  // only seen when a cross-ring message failed

inline uint64_t to_user_data(Completion* c) { return reinterpret_cast<uint64_t>(c); }
inline Completion* from_user_data(uint64_t d) { return reinterpret_cast<Completion*>(d); }

}  // namespace runnel::io
