#include "broker/storage/checkpoint.h"

#include "broker/records/crc32c.h"
#include "broker/storage/big_endian.h"
#include "broker/storage/file_util.h"

namespace runnel::storage {
namespace {
constexpr uint32_t kMagic = 0x524e5243;  // "RNRC"
constexpr uint16_t kVersion = 1;
constexpr size_t kSize = 20;
}  // namespace

std::vector<uint8_t> encode_checkpoint(const Checkpoint& c) {
  std::vector<uint8_t> out(kSize, 0);
  put_u32(out.data(), kMagic);
  out[4] = uint8_t(kVersion >> 8);
  out[5] = uint8_t(kVersion);
  out[6] = c.clean ? 1 : 0;
  put_u64(out.data() + 8, uint64_t(c.recovery_point));
  put_u32(out.data() + 16, records::crc32c(out.data(), 16));
  return out;
}

std::optional<Checkpoint> decode_checkpoint(std::span<const uint8_t> b) {
  if (b.size() != kSize || get_u32(b.data()) != kMagic) return std::nullopt;
  if (((uint16_t(b[4]) << 8) | b[5]) != kVersion || b[6] > 1) return std::nullopt;
  if (get_u32(b.data() + 16) != records::crc32c(b.data(), 16)) return std::nullopt;
  Checkpoint c;
  c.clean = b[6] == 1;
  c.recovery_point = int64_t(get_u64(b.data() + 8));
  if (c.recovery_point < 0) return std::nullopt;
  return c;
}

std::optional<Checkpoint> read_checkpoint_blocking(Files& files, int dir_fd) {
  std::vector<uint8_t> bytes;
  if (!read_whole_file_at(files, dir_fd, kCheckpointName, bytes)) return std::nullopt;
  return decode_checkpoint(bytes);
}

Result<void, IoMessage> write_checkpoint_blocking(Files& files, int dir_fd, const Checkpoint& c) {
  if (auto written = write_file_synced_at(files, dir_fd, kCheckpointTmpName, encode_checkpoint(c)); !written) {
    return written;
  }
  int res = files.rename(dir_fd, kCheckpointTmpName, dir_fd, kCheckpointName).run();
  if (res >= 0) res = files.fsync(dir_fd).run();
  if (res < 0) return Unexpected(error_text("checkpoint rename", res));
  return {};
}

}  // namespace runnel::storage
