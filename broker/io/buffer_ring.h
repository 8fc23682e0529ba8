#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace runnel::io {

class Ring;

// A provided-buffer ring (IORING_REGISTER_PBUF_RING) for multishot recv: the kernel picks a
// free buffer per completion, so idle connections hold no receive memory. The owner must hand
// every buffer back with recycle() once it has copied the bytes out; a ring that runs dry
// makes multishot recv end with -ENOBUFS, which the connection handles by re-arming.
//
// liburing 2.3 has no io_uring_setup_buf_ring, so the ring memory is mapped here and
// registered by hand.
class BufferRing {
 public:
  BufferRing(Ring& ring, uint16_t group_id, uint32_t count, uint32_t buffer_bytes);
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  uint16_t group_id() const { return group_id_; }
  uint32_t buffer_bytes() const { return buffer_bytes_; }
  std::span<const uint8_t> buffer(uint16_t id, size_t len) const;
  void recycle(uint16_t id);

 private:
  Ring& ring_;
  io_uring_buf_ring* br_ = nullptr;
  uint8_t* slab_ = nullptr;
  size_t ring_bytes_ = 0;
  uint16_t group_id_;
  uint32_t count_;
  uint32_t buffer_bytes_;
  int mask_;
};

}  // namespace runnel::io
