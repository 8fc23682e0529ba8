#include "broker/metadata/snapshot.h"

#include "broker/metadata/image_builder.h"
#include "broker/metadata/record_codec.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"
#include "broker/records/crc32c.h"

namespace runnel::metadata {

namespace {

constexpr uint32_t kMagic = 0x524d5348;  // "RMSH": Runnel Metadata SnapsHot
constexpr uint8_t kFormatVersion = 0;
// magic, version, end offset, epoch, record count
constexpr size_t kHeaderBytes = 4 + 1 + 8 + 4 + 4;
constexpr size_t kCrcBytes = 4;

void add_configs(std::vector<Record>& out, ConfigResourceType type, const std::string& resource,
                 const ConfigMap& configs) {
  for (const auto& [name, value] : configs) out.emplace_back(ConfigRecord{type, resource, name, value});
}

Unexpected<SnapshotError> refuse(SnapshotErrc code, std::string detail) {
  return Unexpected(SnapshotError{code, std::move(detail)});
}

}  // namespace

const char* name(SnapshotErrc code) {
  switch (code) {
    case SnapshotErrc::bad_magic: return "bad_magic";
    case SnapshotErrc::unsupported_version: return "unsupported_version";
    case SnapshotErrc::truncated: return "truncated";
    case SnapshotErrc::crc_mismatch: return "crc_mismatch";
    case SnapshotErrc::trailing_bytes: return "trailing_bytes";
    case SnapshotErrc::bad_record: return "bad_record";
    case SnapshotErrc::apply_failed: return "apply_failed";
  }
  return "unknown";
}

std::vector<Record> snapshot_records(const Image& image) {
  std::vector<Record> out;
  for (const auto& [name, level] : image.features()) out.emplace_back(FeatureLevelRecord{name, level});
  for (const auto& [id, b] : image.brokers()) {
    out.emplace_back(
        RegisterBrokerRecord{id, b.incarnation_id, b.epoch, b.listeners, b.rack, b.fenced, b.in_controlled_shutdown});
  }
  add_configs(out, ConfigResourceType::broker, "", image.configs().cluster_default);
  for (const auto& [id, configs] : image.configs().brokers) {
    add_configs(out, ConfigResourceType::broker, std::to_string(id.value()), configs);
  }
  for (const auto& [id, t] : image.topics()) {
    out.emplace_back(TopicRecord{t->name, id});
    if (const ConfigMap* configs = image.topic_configs(t->name)) {
      add_configs(out, ConfigResourceType::topic, t->name, *configs);
    }
    for (size_t p = 0; p < t->partitions.size(); ++p) {
      const PartitionRegistration& r = t->partitions[p];
      out.emplace_back(PartitionRecord{PartitionId(static_cast<int32_t>(p)), id, r.replicas, r.isr,
                                       r.removing_replicas, r.adding_replicas, r.leader, r.leader_epoch,
                                       r.partition_epoch});
    }
  }
  const ProducerIdsImage& pids = image.producer_ids();
  if (pids.next_producer_id > 0) {
    out.emplace_back(ProducerIdsRecord{pids.last_broker_id, pids.last_broker_epoch, pids.next_producer_id});
  }
  return out;
}

std::vector<uint8_t> encode_snapshot(const Image& image, int32_t epoch) {
  std::vector<Record> records = snapshot_records(image);
  std::vector<uint8_t> out;
  // About 40 bytes a record; reserving also spares GCC 12 a false -Wstringop-overread on the
  // header's first small appends.
  out.reserve(kHeaderBytes + kCrcBytes + 48 * records.size());
  protocol::Writer w(out);
  w.write_uint32(kMagic);
  w.write_int8(static_cast<int8_t>(kFormatVersion));
  w.write_int64(image.highest_offset().value());
  w.write_int32(epoch);
  w.write_uint32(static_cast<uint32_t>(records.size()));
  std::vector<uint8_t> frame;
  for (const Record& r : records) {
    frame.clear();
    encode(r, frame);
    w.write_uint32(static_cast<uint32_t>(frame.size()));
    w.write_raw(frame.data(), frame.size());
  }
  w.write_uint32(records::crc32c(out.data(), out.size()));
  return out;
}

Result<Snapshot, SnapshotError> decode_snapshot(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes + kCrcBytes) return refuse(SnapshotErrc::truncated, std::to_string(bytes.size()) + " bytes");
  protocol::Reader r(bytes.data(), bytes.size() - kCrcBytes);
  if (r.read_uint32() != kMagic) return refuse(SnapshotErrc::bad_magic, "");
  if (auto version = static_cast<uint8_t>(r.read_int8()); version > kFormatVersion) {
    return refuse(SnapshotErrc::unsupported_version, "format version " + std::to_string(version));
  }
  protocol::Reader crc_reader(bytes.data() + bytes.size() - kCrcBytes, kCrcBytes);
  uint32_t stored_crc = crc_reader.read_uint32();
  if (records::crc32c(bytes.data(), bytes.size() - kCrcBytes) != stored_crc) {
    return refuse(SnapshotErrc::crc_mismatch, "");
  }
  Offset end_offset(r.read_int64());
  int32_t epoch = r.read_int32();
  uint32_t count = r.read_uint32();
  ImageBuilder builder{Image{}};
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t size = r.read_uint32();
    const uint8_t* frame = r.read_raw(size);
    if (!r.ok()) return refuse(SnapshotErrc::truncated, "record " + std::to_string(i) + " of " + std::to_string(count));
    auto record = decode(std::span<const uint8_t>(frame, size));
    if (!record) {
      return refuse(SnapshotErrc::bad_record, "record " + std::to_string(i) + ": " + name(record.error().code));
    }
    if (auto applied = builder.apply(*record); !applied) {
      return refuse(SnapshotErrc::apply_failed, std::string(type_name(applied.error().record)) + " " +
                                                    name(applied.error().code) + ": " + applied.error().detail);
    }
  }
  if (r.remaining() != 0) {
    return refuse(SnapshotErrc::trailing_bytes, std::to_string(r.remaining()) + " bytes after the records");
  }
  builder.set_highest_offset(end_offset);
  return Snapshot{builder.build(), epoch};
}

}  // namespace runnel::metadata
