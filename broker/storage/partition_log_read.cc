// Read side of PartitionLog: Fetch reads and ListOffsets timestamp look-ups.
#include <algorithm>

#include "broker/records/batch_header.h"
#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/ring_window.h"

namespace runnel::storage {
namespace {

constexpr size_t kHeaderReadBytes = 4096;

// First record of a batch with timestamp >= ts: (timestamp, offset). Falls back to the batch's
// base offset and max timestamp when the body cannot be decoded (it passed CRC, so it should).
TimestampOffset first_record_at_or_after(const uint8_t* batch, size_t size,
                                         const records::BatchHeader& h, int64_t ts) {
  TimestampOffset fallback{h.max_timestamp, Offset(h.base_offset)};
  if (h.timestamp_type() == records::TimestampType::log_append_time) return fallback;
  const uint8_t* body = batch + records::layout::header_size;
  size_t body_size = size - records::layout::header_size;
  std::vector<uint8_t> inflated;
  if (h.compression() != records::Compression::none) {
    if (!h.compression_known() ||
        records::decompress(h.compression(), body, body_size, inflated, 64u << 20) != records::CodecStatus::ok) {
      return fallback;
    }
    body = inflated.data();
    body_size = inflated.size();
  }
  records::RecordReader reader(body, body_size, h.records_count);
  records::RecordView rec;
  while (reader.next(rec)) {
    const int64_t t = static_cast<int64_t>(static_cast<uint64_t>(h.base_timestamp) +
                                           static_cast<uint64_t>(rec.timestamp_delta));  // wraps like Java
    if (t >= ts) return {t, Offset(h.base_offset + rec.offset_delta)};
  }
  return fallback;
}

}  // namespace

io::Task<int> PartitionLog::read_segment(std::shared_ptr<Segment> seg, Offset start, int32_t max_bytes, Offset bound,
                                         bool min_one, ByteBuffer& out) {
  if (seg->fd < 0 || seg->size_written == 0) co_return 0;
  RingWindow window(files_, *seg);
  uint64_t pos = 0;
  if (start > seg->base_offset) {
    if (auto e = seg->offset_index.lookup(uint32_t(start.value() - seg->base_offset.value()))) pos = e->position;
  }
  uint64_t first = 0, end = 0;
  bool found = false;
  while (true) {
    const uint8_t* p = co_await window.at(pos, records::layout::header_size);
    if (p == nullptr) break;  // end of the written part of this segment
    records::BatchHeader h;
    records::parse_header(p, records::layout::header_size, h);
    const auto size = uint64_t(h.size_bytes());
    // Batches bigger than a window: the next header is the only thing to read before the copy.
    window.set_read_bytes(size > RingWindow::kWindowBytes ? kHeaderReadBytes : RingWindow::kWindowBytes);
    // Batch headers carry raw offsets (the file format).
    if (h.last_offset() < start.value()) {
      pos += size;
      continue;
    }
    if (h.last_offset() >= bound.value()) {  // reaches the high watermark: stop before it
      if (!found) co_return 2;
      break;
    }
    if (!found) {
      if (size > uint64_t(std::max(max_bytes, 0)) && !min_one) co_return 2;
      found = true;
      first = pos;
      end = pos + size;
    } else {
      if (end - first + size > uint64_t(std::max(max_bytes, 0))) break;
      end += size;
    }
    pos += size;
  }
  if (window.error() < 0) co_return window.error();
  if (!found) co_return 0;
  int res = co_await window.read_into(first, size_t(end - first), out);
  co_return res < 0 ? res : 1;
}

io::Task<ReadResult> PartitionLog::read(Offset start, int32_t max_bytes, Offset max_offset, bool min_one) {
  ReadResult r;
  r.log_start_offset = log_start_;
  r.log_end_offset = leo_;
  if (failed_) {
    r.error = Errc::log_failed;
    co_return r;
  }
  if (start < log_start_ || start > leo_) {
    r.error = Errc::offset_out_of_range;
    co_return r;
  }
  const Offset bound = std::min(max_offset, leo_);
  std::shared_ptr<Segment> seg = segment_for(std::max(start, log_start_));
  while (seg && start < bound) {
    // 0: nothing at or after `start` in this segment, try the next; 1: data; 2: stop, no data.
    int res = co_await read_segment(seg, start, max_bytes, bound, min_one, r.bytes);
    if (res < 0) {
      fail("segment read", res);
      r.error = Errc::log_failed;
      r.bytes.clear();
      break;
    }
    if (res != 0) break;
    auto it = segments_.upper_bound(seg->base_offset);
    seg = it == segments_.end() ? nullptr : it->second;
  }
  r.log_end_offset = leo_;
  co_return r;
}

io::Task<std::optional<TimestampOffset>> PartitionLog::find_in_segment(std::shared_ptr<Segment> seg, int64_t ts) {
  if (seg->fd < 0 || seg->size_written == 0) co_return std::nullopt;
  RingWindow window(files_, *seg);
  uint64_t pos = 0;
  if (auto te = seg->time_index.lookup(ts)) {
    if (auto oe = seg->offset_index.lookup(te->relative_offset)) pos = oe->position;
  }
  while (true) {
    const uint8_t* p = co_await window.at(pos, records::layout::header_size);
    if (p == nullptr) co_return std::nullopt;
    records::BatchHeader h;
    records::parse_header(p, records::layout::header_size, h);
    const auto size = size_t(h.size_bytes());
    if (h.max_timestamp >= ts && h.last_offset() >= log_start_.value()) {
      const uint8_t* whole = co_await window.at(pos, size);
      if (whole == nullptr) co_return std::nullopt;
      co_return first_record_at_or_after(whole, size, h, ts);
    }
    pos += size;
  }
}

io::Task<std::optional<TimestampOffset>> PartitionLog::offset_for_timestamp(int64_t ts) {
  // Kafka: the first segment whose largest timestamp reaches ts, then its time index.
  std::vector<std::shared_ptr<Segment>> candidates;
  for (const auto& [_, seg] : segments_) {
    if (seg->max_timestamp >= ts) candidates.push_back(seg);
  }
  for (const std::shared_ptr<Segment>& seg : candidates) {
    if (auto found = co_await find_in_segment(seg, ts)) co_return found;
  }
  co_return std::nullopt;
}

std::pair<int64_t, Offset> PartitionLog::max_timestamp() const {
  std::pair<int64_t, Offset> best{-1, Offset(-1)};
  for (const auto& [_, seg] : segments_) {
    if (seg->max_timestamp > best.first) best = {seg->max_timestamp, seg->offset_of_max_timestamp};
  }
  return best;
}

io::Task<std::optional<TimestampOffset>> PartitionLog::max_timestamp_record() {
  const auto [ts, offset] = max_timestamp();
  if (offset.value() < 0) co_return std::nullopt;
  co_return co_await offset_for_timestamp(ts);
}

}  // namespace runnel::storage
