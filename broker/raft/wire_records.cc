#include "broker/raft/wire_records.h"

#include <limits>
#include <optional>

#include "broker/model/assert.h"
#include "broker/records/batch_builder.h"
#include "broker/records/batch_header.h"
#include "broker/records/batch_splitter.h"
#include "broker/records/bytes.h"
#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"

namespace runnel::raft::wire {
namespace {

using records::BatchHeader;

int16_t control_type(EntryType type) {
  switch (type) {
    case EntryType::leader_change: return kLeaderChangeControlType;
    case EntryType::kraft_version: return kKRaftVersionControlType;
    case EntryType::voters: return kVotersControlType;
    case EntryType::data: break;
  }
  return -1;
}

std::string control_key(EntryType type) {
  uint8_t key[4];
  records::store_be16(key, uint16_t(kControlRecordKeyVersion));
  records::store_be16(key + 2, uint16_t(control_type(type)));
  return std::string(reinterpret_cast<const char*>(key), sizeof key);
}

void append_batch(std::vector<uint8_t>& out, std::span<const Entry> run, int64_t timestamp_ms) {
  records::BatchOptions options;
  options.base_offset = run.front().offset.value();
  options.partition_leader_epoch = run.front().epoch.value();
  options.control = run.front().type != EntryType::data;
  std::string key = options.control ? control_key(run.front().type) : std::string();
  std::vector<records::RecordInput> inputs;
  inputs.reserve(run.size());
  for (const Entry& e : run) {
    records::RecordInput r;
    if (options.control) r.key = key;
    r.value = e.payload;
    r.timestamp = timestamp_ms;
    inputs.push_back(r);
  }
  std::vector<uint8_t> batch = records::build_batch(options, inputs);
  out.insert(out.end(), batch.begin(), batch.end());
}

// One control record: Kafka's key (version, type). LEADER_CHANGE, KRAFT_VERSION and KRAFT_VOTERS
// are raft entries here; any other type (a snapshot header or footer has no place in a log) is
// invalid.
std::optional<EntryType> control_entry_type(records::BytesView key) {
  if (key.is_null() || key.size() != 4) return std::nullopt;
  if (int16_t(records::load_be16(key.data)) != kControlRecordKeyVersion) return std::nullopt;
  switch (int16_t(records::load_be16(key.data + 2))) {
    case kLeaderChangeControlType: return EntryType::leader_change;
    case kKRaftVersionControlType: return EntryType::kraft_version;
    case kVotersControlType: return EntryType::voters;
    default: return std::nullopt;
  }
}

// Appends the records of one checked batch to `out`.
Result<void, WireError> decode_batch(const uint8_t* data, size_t size, const BatchHeader& h, std::vector<Entry>& out) {
  if (h.records_count <= 0 || h.last_offset_delta != h.records_count - 1) return Unexpected(WireError::invalid_records);
  if (h.partition_leader_epoch < 0 || h.base_offset < 0) return Unexpected(WireError::invalid_records);
  // Hostile offsets near INT64_MAX would overflow base_offset + index below.
  if (h.base_offset > std::numeric_limits<int64_t>::max() - h.records_count) return Unexpected(WireError::invalid_records);
  if (h.is_control() && h.records_count != 1) return Unexpected(WireError::invalid_records);
  const uint8_t* body = data + records::layout::header_size;
  size_t body_size = size - records::layout::header_size;
  std::vector<uint8_t> inflated;
  if (!h.compression_known()) return Unexpected(WireError::corrupt_records);
  if (h.compression() != records::Compression::none) {
    if (records::decompress(h.compression(), body, body_size, inflated, kMaxDecompressedBytes) !=
        records::CodecStatus::ok) {
      return Unexpected(WireError::invalid_records);
    }
    body = inflated.data();
    body_size = inflated.size();
  }
  records::RecordReader reader(body, body_size, h.records_count);
  records::RecordView r;
  int32_t index = 0;
  while (reader.next(r)) {
    if (r.offset_delta != index || r.value.is_null()) return Unexpected(WireError::invalid_records);
    Entry e;
    e.offset = Offset{h.base_offset + index};
    e.epoch = LeaderEpoch{h.partition_leader_epoch};
    e.type = EntryType::data;
    if (h.is_control()) {
      std::optional<EntryType> type = control_entry_type(r.key);
      if (!type) return Unexpected(WireError::invalid_records);
      e.type = *type;
    }
    e.payload.assign(r.value.str());
    out.push_back(std::move(e));
    ++index;
  }
  if (reader.error() != records::RecordError::none) return Unexpected(WireError::corrupt_records);
  if (index != h.records_count) return Unexpected(WireError::corrupt_records);
  return {};
}

}  // namespace

std::vector<uint8_t> encode_entries(std::span<const Entry> entries, int64_t timestamp_ms) {
  std::vector<uint8_t> out;
  size_t i = 0;
  while (i < entries.size()) {
    size_t end = i + 1;
    if (entries[i].type == EntryType::data) {
      while (end < entries.size() && end - i < kMaxRecordsPerBatch && entries[end].type == EntryType::data &&
             entries[end].epoch == entries[i].epoch) {
        ++end;
      }
    }
    for (size_t k = i + 1; k < end; ++k) {
      RUNNEL_ASSERT(entries[k].offset.value() == entries[k - 1].offset.value() + 1,
                    "entries not contiguous: %lld after %lld", static_cast<long long>(entries[k].offset.value()),
                    static_cast<long long>(entries[k - 1].offset.value()));
    }
    append_batch(out, entries.subspan(i, end - i), timestamp_ms);
    i = end;
  }
  return out;
}

Result<std::vector<Entry>, WireError> decode_entries(std::span<const uint8_t> bytes) {
  std::vector<Entry> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    Result<size_t, records::CorruptBatch> next = records::next_batch(bytes.data() + pos, bytes.size() - pos);
    if (!next) return Unexpected(WireError::corrupt_records);
    if (*next == 0) break;  // a cut-off tail ends the input, as Kafka trims it
    const uint8_t* data = bytes.data() + pos;
    BatchHeader h;
    if (*next < records::layout::header_size || !records::parse_header(data, *next, h) ||
        h.magic != records::magic_v2 || !records::batch_crc_matches(data, *next)) {
      return Unexpected(WireError::corrupt_records);
    }
    if (!out.empty() && h.base_offset != out.back().offset.value() + 1) return Unexpected(WireError::invalid_records);
    if (auto decoded = decode_batch(data, *next, h, out); !decoded) return Unexpected(decoded.error());
    pos += *next;
  }
  return out;
}

}  // namespace runnel::raft::wire
