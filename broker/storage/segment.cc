#include "broker/storage/segment.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace runnel::storage {

std::string segment_file_name(int64_t base_offset, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%020" PRId64 "%s", base_offset, suffix);
  return buf;
}

bool parse_segment_file_name(const std::string& name, const char* suffix, int64_t& base_offset) {
  const size_t suffix_len = std::strlen(suffix);
  if (name.size() != 20 + suffix_len || name.compare(20, suffix_len, suffix) != 0) return false;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (name[i] - '0');
  }
  base_offset = v;
  return true;
}

Segment::~Segment() {
  if (dio_fd >= 0 && dio_fd != fd) files.close_detached(dio_fd);
  if (fd >= 0) files.close_detached(fd);
}

void Segment::on_batch(uint64_t position, uint64_t size, Offset last_offset, int64_t batch_max_ts,
                       int32_t index_interval_bytes) {
  if (position == 0) rolling_timestamp = batch_max_ts;
  if (batch_max_ts > max_timestamp) {
    max_timestamp = batch_max_ts;
    offset_of_max_timestamp = last_offset;
  }
  // Index entries hold offsets relative to the base (the file format): raw arithmetic here.
  const auto rel = uint32_t(last_offset.value() - base_offset.value());
  if (bytes_since_index > uint64_t(index_interval_bytes)) {
    offset_index.append({rel, uint32_t(position)});
    time_index.maybe_append({max_timestamp, uint32_t(offset_of_max_timestamp.value() - base_offset.value())});
    bytes_since_index = 0;
  }
  bytes_since_index += size;
  next_offset = Offset(last_offset.value() + 1);
}

void Segment::add_final_time_entry() {
  if (max_timestamp < 0 || offset_of_max_timestamp < base_offset) return;
  time_index.maybe_append({max_timestamp, uint32_t(offset_of_max_timestamp.value() - base_offset.value())});
}

}  // namespace runnel::storage
