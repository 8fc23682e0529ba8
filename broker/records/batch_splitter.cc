#include "broker/records/batch_splitter.h"

#include "broker/records/batch_header.h"
#include "broker/records/bytes.h"

namespace runnel::records {

std::string CorruptBatch::message() const {
  switch (kind) {
    case Kind::length_below_minimum:
      return "Record size " + std::to_string(found) + " is less than the minimum record overhead (" +
             std::to_string(min_batch_length) + ")";
    case Kind::unknown_magic: return "Invalid magic found in record: " + std::to_string(found);
  }
  return "corrupt batch";
}

Result<size_t, CorruptBatch> next_batch(const uint8_t* data, size_t size) {
  if (size < layout::log_overhead) return size_t{0};
  int32_t length = int32_t(load_be32(data + layout::batch_length));
  if (length < min_batch_length) return Unexpected(CorruptBatch{CorruptBatch::Kind::length_below_minimum, length});
  if (size < layout::header_size_up_to_magic) return size_t{0};
  int8_t magic = int8_t(data[layout::magic]);
  if (magic < 0 || magic > magic_v2) return Unexpected(CorruptBatch{CorruptBatch::Kind::unknown_magic, magic});
  size_t total = size_t(length) + layout::log_overhead;
  if (size < total) return size_t{0};
  return total;
}

}  // namespace runnel::records
