#include "tests/fuzz/records_input.h"

#include <algorithm>

#include "broker/records/batch_header.h"
#include "broker/records/bytes.h"
#include "broker/records/compression.h"

namespace runnel::fuzz {
namespace {

using records::layout::header_size;
using records::layout::log_overhead;

// End of the first batch as its header claims it, clamped to the blob.
size_t first_batch_end(const std::vector<uint8_t>& blob) {
  if (blob.size() < log_overhead) return blob.size();
  int64_t len = int32_t(records::load_be32(blob.data() + records::layout::batch_length));
  int64_t end = len + int64_t(log_overhead);
  if (end < int64_t(header_size)) return std::min(blob.size(), header_size);
  return size_t(std::min<int64_t>(end, int64_t(blob.size())));
}

void recompress_first_batch(std::vector<uint8_t>& blob) {
  if (blob.size() < header_size) return;
  uint16_t attributes = records::load_be16(blob.data() + records::layout::attributes);
  auto codec = records::Compression(attributes & records::attr::compression_mask);
  if (codec == records::Compression::none || uint8_t(codec) > 4) return;
  size_t end = first_batch_end(blob);
  std::vector<uint8_t> rebuilt(blob.begin(), blob.begin() + header_size);
  if (records::compress(codec, blob.data() + header_size, end - header_size, rebuilt) !=
      records::CodecStatus::ok) {
    return;  // leave the input as it is; the validator will reject it
  }
  // The header's batch_length must describe the compressed size.
  records::store_be32(rebuilt.data() + records::layout::batch_length,
                      uint32_t(rebuilt.size() - log_overhead));
  rebuilt.insert(rebuilt.end(), blob.begin() + end, blob.end());
  blob = std::move(rebuilt);
}

}  // namespace

bool parse_records_input(const uint8_t* data, size_t size, RecordsCase& out) {
  if (size < 2) return false;
  out.produce_version = int16_t(data[0] % 12);
  out.flags = data[1];
  out.blob.assign(data + 2, data + size);

  records::ValidationLimits& l = out.limits;
  l = records::ValidationLimits{};
  l.now_ms = kNowMs;
  l.compacted_topic = (out.flags & flag::compacted_topic) != 0;
  if (out.flags & flag::log_append_time_topic) {
    l.topic_timestamp_type = records::TimestampType::log_append_time;
  }
  if (out.flags & flag::bounded_timestamps) {
    l.ts_before_max_ms = kWindowMs;
    l.ts_after_max_ms = kWindowMs;
  }
  if (out.flags & flag::small_limits) {
    l.max_message_bytes = int32_t(kSmallLimitBytes);
    l.max_decompressed_bytes = kSmallLimitBytes;
  } else {
    // Big enough for every seed; small enough that a bomb costs the fuzzer little time.
    l.max_decompressed_bytes = 1u << 20;
  }

  std::vector<uint8_t>& blob = out.blob;
  if (out.flags & flag::recompress) recompress_first_batch(blob);
  if ((out.flags & flag::fix_length) && blob.size() >= log_overhead) {
    records::store_be32(blob.data() + records::layout::batch_length,
                        uint32_t(blob.size() - log_overhead));
  }
  if ((out.flags & flag::fix_crc) && blob.size() >= header_size) {
    size_t end = first_batch_end(blob);
    records::store_be32(blob.data() + records::layout::crc,
                        records::compute_batch_crc(blob.data(), end));
  }
  return true;
}

std::vector<uint8_t> make_records_input(int16_t produce_version, uint8_t flags,
                                        const std::vector<uint8_t>& blob) {
  std::vector<uint8_t> out;
  out.reserve(blob.size() + 2);
  out.push_back(uint8_t(produce_version));
  out.push_back(flags);
  out.insert(out.end(), blob.begin(), blob.end());
  return out;
}

}  // namespace runnel::fuzz
