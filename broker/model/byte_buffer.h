#pragma once

// A byte vector whose resize() leaves new bytes uninitialised. For buffers that are about to be
// overwritten by a read: a std::vector<uint8_t> would first zero-fill them, which on the Fetch
// path was a memset of every megabyte served.

#include <cstdint>
#include <memory>
#include <vector>

namespace runnel {

template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  using std::allocator<T>::allocator;
  // Value-less construct() default-initialises: nothing for uint8_t.
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using ByteBuffer = std::vector<uint8_t, DefaultInitAllocator<uint8_t>>;

}  // namespace runnel
