#include "broker/records/batch_splitter.h"

#include "broker/records/batch_header.h"
#include "broker/records/bytes.h"

namespace runnel::records {

SplitResult next_batch(const uint8_t* data, size_t size, size_t& batch_size, std::string* error) {
  if (size < layout::log_overhead) return SplitResult::end;
  int32_t length = int32_t(load_be32(data + layout::batch_length));
  if (length < min_batch_length) {
    if (error) {
      *error = "Record size " + std::to_string(length) +
               " is less than the minimum record overhead (" + std::to_string(min_batch_length) + ")";
    }
    return SplitResult::corrupt;
  }
  if (size < layout::header_size_up_to_magic) return SplitResult::end;
  int8_t magic = int8_t(data[layout::magic]);
  if (magic < 0 || magic > magic_v2) {
    if (error) *error = "Invalid magic found in record: " + std::to_string(magic);
    return SplitResult::corrupt;
  }
  size_t total = size_t(length) + layout::log_overhead;
  if (size < total) return SplitResult::end;
  batch_size = total;
  return SplitResult::batch;
}

}  // namespace runnel::records
