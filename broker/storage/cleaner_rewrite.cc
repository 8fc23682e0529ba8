#include "broker/storage/cleaner_rewrite.h"

#include <algorithm>

#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"
#include "broker/records/varint.h"

namespace runnel::storage {
namespace {

using records::BatchHeader;
using records::RecordView;

enum class BatchPolicy : uint8_t { filter_records, keep_whole };

// Whole-batch decisions. Transactions will add: batches of aborted transactions (drop all
// records), and control batches whose transaction has no data left and whose delete horizon
// passed (drop the marker). Until then control batches are kept as they are.
BatchPolicy batch_policy(const BatchHeader& h, const FilterContext&) {
  if (h.is_control()) return BatchPolicy::keep_whole;
  if (!h.compression_known()) return BatchPolicy::keep_whole;
  return BatchPolicy::filter_records;
}

// Per-record decision (see the table in the header).
bool keep_record(const RecordView& rec, int64_t offset, bool tombstones_expired, const FilterContext& ctx) {
  if (offset >= ctx.map_end) return true;
  if (rec.key.is_null()) return false;
  if (offset < ctx.map->get(rec.key.data, rec.key.size())) return false;
  return !(rec.value.is_null() && tombstones_expired);
}

struct Kept {
  RecordView rec;
  int64_t timestamp;
};

void append_bytes(std::vector<uint8_t>& out, const records::BytesView& b) {
  records::append_varint(out, b.length);
  if (!b.is_null()) out.insert(out.end(), b.data, b.data + b.size());
}

// Re-encodes a record with a new timestamp delta; everything else is copied as it was.
void encode_record(std::vector<uint8_t>& out, std::vector<uint8_t>& tmp, const RecordView& rec, int64_t ts_delta) {
  tmp.clear();
  tmp.push_back(uint8_t(rec.attributes));
  records::append_varlong(tmp, ts_delta);
  records::append_varint(tmp, rec.offset_delta);
  append_bytes(tmp, rec.key);
  append_bytes(tmp, rec.value);
  records::append_varint(tmp, rec.header_count);
  tmp.insert(tmp.end(), rec.headers_data, rec.headers_data + rec.headers_size);
  records::append_varint(out, int32_t(tmp.size()));
  out.insert(out.end(), tmp.begin(), tmp.end());
}

// Appends header + body with a freshly computed CRC.
BatchHeader append_batch(std::vector<uint8_t>& out, BatchHeader h, const uint8_t* body, size_t body_size) {
  const size_t start = out.size();
  h.batch_length = int32_t(records::layout::header_size + body_size - records::layout::log_overhead);
  h.crc = 0;
  out.resize(start + records::layout::header_size);
  out.insert(out.end(), body, body + body_size);
  records::write_header(h, out.data() + start);
  h.crc = records::compute_batch_crc(out.data() + start, out.size() - start);
  records::write_header(h, out.data() + start);
  return h;
}

}  // namespace

BatchOutcome filter_batch(const uint8_t* batch, size_t size, const FilterContext& ctx, std::vector<uint8_t>& out) {
  BatchOutcome o;
  BatchHeader h;
  records::parse_header(batch, size, h);
  auto keep_original = [&]() {
    o = BatchOutcome{};
    o.header = h;
    o.records_kept = h.records_count;
    o.action = BatchAction::kept;
    if (h.has_delete_horizon()) o.delete_horizon = h.base_timestamp;
    out.insert(out.end(), batch, batch + size);
    return o;
  };
  if (batch_policy(h, ctx) == BatchPolicy::keep_whole) return keep_original();

  const uint8_t* body = batch + records::layout::header_size;
  size_t body_size = size - records::layout::header_size;
  thread_local std::vector<uint8_t> inflated;
  const bool compressed = h.compression() != records::Compression::none;
  if (compressed) {
    if (records::decompress(h.compression(), body, body_size, inflated, ctx.max_decompressed_bytes) !=
        records::CodecStatus::ok) {
      return keep_original();
    }
    body = inflated.data();
    body_size = inflated.size();
  }
  const bool tombstones_expired = h.has_delete_horizon() && ctx.now_ms >= h.base_timestamp;
  thread_local std::vector<Kept> kept;
  kept.clear();
  records::RecordReader reader(body, body_size, h.records_count);
  RecordView rec;
  while (reader.next(rec)) {
    const int64_t offset = h.base_offset + rec.offset_delta;
    if (keep_record(rec, offset, tombstones_expired, ctx)) {
      // Wraps like Java's long arithmetic.
      const auto ts = int64_t(uint64_t(h.base_timestamp) + uint64_t(rec.timestamp_delta));
      kept.push_back({rec, ts});
      o.tombstones_kept = o.tombstones_kept || rec.value.is_null();
    } else {
      ++o.records_removed;
    }
  }
  if (reader.error() != records::RecordError::none) return keep_original();
  o.records_kept = int32_t(kept.size());
  const bool set_horizon = o.tombstones_kept && !h.has_delete_horizon();
  if (o.records_removed == 0 && !set_horizon) return keep_original();

  BatchHeader nh = h;
  if (kept.empty()) {
    const bool last_of_producer = h.has_producer_id() && ctx.producer_last_offsets != nullptr && [&] {
      auto it = ctx.producer_last_offsets->find(h.producer_id);
      return it != ctx.producer_last_offsets->end() && it->second == h.last_offset();
    }();
    if (!last_of_producer) {
      o.action = BatchAction::dropped;
      return o;
    }
    // Kafka's empty batch header: no codec, both timestamps = the batch's max timestamp.
    nh.attributes = uint16_t(h.attributes & (records::attr::timestamp_type | records::attr::transactional |
                                             records::attr::control));
    nh.base_timestamp = nh.max_timestamp = h.max_timestamp;
    nh.records_count = 0;
    o.header = append_batch(out, nh, nullptr, 0);
    o.action = BatchAction::kept_empty;
    return o;
  }

  int64_t horizon = -1;
  if (o.tombstones_kept) horizon = h.has_delete_horizon() ? h.base_timestamp : ctx.now_ms + ctx.delete_retention_ms;
  nh.attributes = uint16_t(h.attributes & ~records::attr::delete_horizon);
  if (horizon >= 0) nh.attributes |= records::attr::delete_horizon;
  nh.base_timestamp = horizon >= 0 ? horizon : kept.front().timestamp;
  if (h.timestamp_type() == records::TimestampType::create_time) {
    nh.max_timestamp = records::no_timestamp;
    for (const Kept& k : kept) nh.max_timestamp = std::max(nh.max_timestamp, k.timestamp);
  }
  nh.records_count = int32_t(kept.size());

  thread_local std::vector<uint8_t> plain, tmp, packed;
  plain.clear();
  for (const Kept& k : kept) {
    encode_record(plain, tmp, k.rec, int64_t(uint64_t(k.timestamp) - uint64_t(nh.base_timestamp)));
  }
  const uint8_t* new_body = plain.data();
  size_t new_size = plain.size();
  if (compressed) {
    packed.clear();
    if (records::compress(h.compression(), plain.data(), plain.size(), packed) != records::CodecStatus::ok) {
      return keep_original();
    }
    new_body = packed.data();
    new_size = packed.size();
  }
  o.header = append_batch(out, nh, new_body, new_size);
  o.action = BatchAction::rewritten;
  o.delete_horizon = horizon;
  return o;
}

}  // namespace runnel::storage
