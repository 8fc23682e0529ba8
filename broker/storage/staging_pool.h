#pragma once

// Page-aligned blocks for direct-I/O segment writes (segment_appender.h), recycled per thread.
//
// Why a pool: on the append path every write copies the batches into aligned memory. Fresh
// memory costs a page fault per 4 KiB on first touch (on a VM far more than the copy itself), so
// blocks are kept and reused. Blocks are small (kBlockBytes) and a write takes as many as its
// bytes need, so memory in use follows the bytes in flight rather than the number of partitions
// writing; the pool retains at most kRetainedBlocks, which bounds what direct I/O adds to the
// broker's resident memory. Blocks beyond that are freed when released.
//
// Threading: one pool per ring thread (its LogEnv holds it); a StagingBuffer goes back to the
// pool it came from and must be released on that pool's thread, which is the ring thread owning
// the log.

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace runnel::storage {

inline constexpr size_t kPageBytes = 4096;  // direct-I/O alignment of offsets, lengths and memory

inline constexpr uint64_t page_floor(uint64_t v) { return v & ~uint64_t(kPageBytes - 1); }
inline constexpr uint64_t page_ceil(uint64_t v) { return page_floor(v + kPageBytes - 1); }

class StagingPool;

// `bytes` (rounded up to whole pages) of aligned memory as a list of blocks, each kBlockBytes but
// the last, taken from `pool` and returned to it on destruction.
class StagingBuffer {
 public:
  StagingBuffer(StagingPool& pool, size_t bytes);
  StagingBuffer(const StagingBuffer&) = delete;
  StagingBuffer& operator=(const StagingBuffer&) = delete;
  ~StagingBuffer();

  size_t size() const { return size_; }
  // Copies `len` bytes to offset `at`, across block boundaries.
  void write(size_t at, const void* src, size_t len);
  void zero(size_t at, size_t len);
  // Copies `len` bytes from offset `at` out.
  void read(size_t at, void* dst, size_t len) const;
  // One iovec per block, covering size() bytes.
  const std::vector<iovec>& iovecs() const { return iov_; }

 private:
  // Calls fn(block memory, offset into [at, at + len), bytes) for each block-sized piece.
  template <typename F>
  void for_each_span(size_t at, size_t len, F&& fn) const;

  StagingPool& pool_;
  size_t size_;
  std::vector<iovec> iov_;
};

class StagingPool {
 public:
  static constexpr size_t kBlockBytes = 256 << 10;
  static constexpr size_t kRetainedBlocks = 48;

  StagingPool() = default;
  StagingPool(const StagingPool&) = delete;
  StagingPool& operator=(const StagingPool&) = delete;

  uint8_t* acquire();
  void release(uint8_t* block);

  size_t retained() const { return free_.size(); }
  ~StagingPool();

 private:
  std::vector<uint8_t*> free_;
};

}  // namespace runnel::storage
