#pragma once

// A span of bytes together with a share of the buffer it lives in.
//
// A Produce request's frame holds the batches of all its partitions; each partition's append
// runs on that partition's owner core and its write may complete after the request was
// answered (acks=0/1) or after an ENOSPC retry. Instead of borrowing a pointer into the
// connection core's frame and relying on the request to outlive the write, every append takes
// a SharedBytes: the frame is freed when the last append that uses it lets go, on whichever
// core that is. One shared_ptr per request frame, an atomic increment per partition: nothing
// per record.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "broker/model/assert.h"

namespace runnel {

class SharedBytes {
 public:
  using Buffer = std::vector<uint8_t>;

  SharedBytes() = default;
  // The whole buffer.
  explicit SharedBytes(std::shared_ptr<Buffer> owner) : owner_(std::move(owner)) {
    if (owner_) bytes_ = std::span<uint8_t>(owner_->data(), owner_->size());
  }
  // A part of `owner`'s buffer; `bytes` must lie inside it.
  SharedBytes(std::shared_ptr<Buffer> owner, std::span<uint8_t> bytes) : owner_(std::move(owner)), bytes_(bytes) {
    RUNNEL_ASSERT(bytes_.empty() || (owner_ && bytes_.data() >= owner_->data() &&
                                     bytes_.data() + bytes_.size() <= owner_->data() + owner_->size()),
                  "SharedBytes span of %zu bytes outside its buffer", bytes_.size());
  }
  // Takes the vector: the common case of a buffer built for one append.
  static SharedBytes take(Buffer bytes) { return SharedBytes(std::make_shared<Buffer>(std::move(bytes))); }

  std::span<uint8_t> span() const { return bytes_; }
  uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  const std::shared_ptr<Buffer>& owner() const { return owner_; }

 private:
  std::shared_ptr<Buffer> owner_;
  std::span<uint8_t> bytes_;
};

}  // namespace runnel
