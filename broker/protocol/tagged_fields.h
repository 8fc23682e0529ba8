#pragma once

#include <cstdint>
#include <vector>

#include "broker/protocol/types.h"
#include "broker/protocol/writer.h"

namespace runnel::protocol {

// Helpers for the tagged-field section that ends every struct in a flexible version:
// uvarint count, then (uvarint tag, uvarint size, value) in ascending tag order. Used only by
// generated code.

// Writes one known tagged field. The size prefix comes from running `put` through a counting
// writer first; tagged fields are rare and small, so encoding twice is cheaper than buffering.
template <typename Put>
void write_tagged_field(Writer& w, uint32_t tag, const Put& put) {
  Writer counter;
  put(counter);
  w.write_uvarint(tag);
  w.write_uvarint(static_cast<uint32_t>(counter.position()));
  put(w);
}

// Re-emits tagged fields we did not understand, merged into tag order with the known ones
// (Kafka's writers interleave the same way).
class UnknownTagWriter {
 public:
  explicit UnknownTagWriter(const std::vector<RawTaggedField>& fields) : fields_(fields) {}

  // Writes every remaining unknown field whose tag is below `tag`.
  void flush_below(Writer& w, uint64_t tag) {
    while (next_ < fields_.size() && fields_[next_].tag < tag) {
      const RawTaggedField& f = fields_[next_++];
      w.write_uvarint(f.tag);
      w.write_uvarint(static_cast<uint32_t>(f.data.size()));
      w.write_raw(f.data.data(), f.data.size());
    }
  }
  void flush_all(Writer& w) { flush_below(w, UINT64_MAX); }

 private:
  const std::vector<RawTaggedField>& fields_;
  size_t next_ = 0;
};

}  // namespace runnel::protocol
