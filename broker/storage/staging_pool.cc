#include "broker/storage/staging_pool.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "broker/model/assert.h"

namespace runnel::storage {

StagingBuffer::StagingBuffer(StagingPool& pool, size_t bytes) : pool_(pool), size_(size_t(page_ceil(bytes))) {
  for (size_t at = 0; at < size_; at += StagingPool::kBlockBytes) {
    iov_.push_back({pool.acquire(), std::min(StagingPool::kBlockBytes, size_ - at)});
  }
}

StagingBuffer::~StagingBuffer() {
  for (const iovec& v : iov_) pool_.release(static_cast<uint8_t*>(v.iov_base));
}

template <typename F>
void StagingBuffer::for_each_span(size_t at, size_t len, F&& fn) const {
  RUNNEL_ASSERT(at + len <= size_, "staging range [%zu, %zu) past %zu", at, at + len, size_);
  for (size_t done = 0; done < len;) {
    const size_t block = (at + done) / StagingPool::kBlockBytes;
    const size_t off = (at + done) % StagingPool::kBlockBytes;
    const size_t n = std::min(len - done, StagingPool::kBlockBytes - off);
    fn(static_cast<uint8_t*>(iov_[block].iov_base) + off, done, n);
    done += n;
  }
}

void StagingBuffer::write(size_t at, const void* src, size_t len) {
  auto* s = static_cast<const uint8_t*>(src);
  for_each_span(at, len, [s](uint8_t* p, size_t done, size_t n) { std::memcpy(p, s + done, n); });
}

void StagingBuffer::zero(size_t at, size_t len) {
  for_each_span(at, len, [](uint8_t* p, size_t, size_t n) { std::memset(p, 0, n); });
}

void StagingBuffer::read(size_t at, void* dst, size_t len) const {
  auto* d = static_cast<uint8_t*>(dst);
  for_each_span(at, len, [d](const uint8_t* p, size_t done, size_t n) { std::memcpy(d + done, p, n); });
}

uint8_t* StagingPool::acquire() {
  if (!free_.empty()) {
    uint8_t* p = free_.back();
    free_.pop_back();
    return p;
  }
  void* p = std::aligned_alloc(kPageBytes, kBlockBytes);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<uint8_t*>(p);
}

void StagingPool::release(uint8_t* block) {
  RUNNEL_ASSERT(reinterpret_cast<uintptr_t>(block) % kPageBytes == 0, "unaligned staging block");
  if (free_.size() < kRetainedBlocks) {
    free_.push_back(block);  // LIFO: the most recently used (cache-warm) block goes out next
  } else {
    std::free(block);
  }
}

StagingPool::~StagingPool() {
  for (uint8_t* p : free_) std::free(p);
}

}  // namespace runnel::storage
