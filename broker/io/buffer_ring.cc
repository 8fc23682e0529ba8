#include "broker/io/buffer_ring.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>

#include "broker/io/ring.h"
#include "broker/model/assert.h"

namespace runnel::io {

BufferRing::BufferRing(Ring& ring, uint16_t group_id, uint32_t count, uint32_t buffer_bytes)
    : ring_(ring), group_id_(group_id), count_(count), buffer_bytes_(buffer_bytes) {
  RUNNEL_ASSERT(count > 0 && (count & (count - 1)) == 0 && count <= 32768,
                "buffer count must be a power of two <= 32768, got %u", count);
  ring_bytes_ = sizeof(io_uring_buf) * count;
  void* mem = mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  RUNNEL_ASSERT(mem != MAP_FAILED, "mmap of buffer ring failed: %s", std::strerror(errno));
  br_ = static_cast<io_uring_buf_ring*>(mem);
  io_uring_buf_ring_init(br_);

  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(br_);
  reg.ring_entries = count;
  reg.bgid = group_id;
  int rc = io_uring_register_buf_ring(ring_.raw(), &reg, 0);
  RUNNEL_ASSERT(rc == 0, "io_uring_register_buf_ring failed: %s", std::strerror(-rc));

  slab_ = static_cast<uint8_t*>(std::aligned_alloc(4096, static_cast<size_t>(count) * buffer_bytes));
  RUNNEL_ASSERT(slab_ != nullptr, "cannot allocate %u receive buffers", count);
  mask_ = io_uring_buf_ring_mask(count);
  for (uint32_t i = 0; i < count; ++i) {
    io_uring_buf_ring_add(br_, slab_ + static_cast<size_t>(i) * buffer_bytes, buffer_bytes,
                          static_cast<unsigned short>(i), mask_, static_cast<int>(i));
  }
  io_uring_buf_ring_advance(br_, static_cast<int>(count));
}

BufferRing::~BufferRing() {
  io_uring_unregister_buf_ring(ring_.raw(), group_id_);
  munmap(br_, ring_bytes_);
  std::free(slab_);
}

std::span<const uint8_t> BufferRing::buffer(uint16_t id, size_t len) const {
  RUNNEL_ASSERT(id < count_ && len <= buffer_bytes_, "bad provided buffer id=%u len=%zu", id, len);
  return {slab_ + static_cast<size_t>(id) * buffer_bytes_, len};
}

void BufferRing::recycle(uint16_t id) {
  io_uring_buf_ring_add(br_, slab_ + static_cast<size_t>(id) * buffer_bytes_, buffer_bytes_, id, mask_, 0);
  io_uring_buf_ring_advance(br_, 1);
}

}  // namespace runnel::io
