#include "broker/raft/snapshot_envelope.h"

#include <string>

namespace runnel::raft {
namespace {

constexpr size_t kHeader = 4 + 1 + 4;
constexpr uint8_t kEnvelopeVersion = 0;

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

}  // namespace

SnapshotBytes wrap_snapshot(const std::optional<VoterSet>& voters, std::span<const uint8_t> state) {
  std::string encoded = voters ? encode_voters(*voters) : std::string();
  auto out = std::make_shared<std::vector<uint8_t>>();
  out->reserve(kHeader + encoded.size() + state.size());
  put_be32(*out, kSnapshotEnvelopeMagic);
  out->push_back(kEnvelopeVersion);
  put_be32(*out, static_cast<uint32_t>(encoded.size()));
  out->insert(out->end(), encoded.begin(), encoded.end());
  out->insert(out->end(), state.begin(), state.end());
  return out;
}

std::optional<SnapshotContents> unwrap_snapshot(std::span<const uint8_t> bytes) {
  if (bytes.size() < 4 || be32(bytes.data()) != kSnapshotEnvelopeMagic) return SnapshotContents{std::nullopt, bytes};
  if (bytes.size() < kHeader || bytes[4] != kEnvelopeVersion) return std::nullopt;
  uint32_t length = be32(bytes.data() + 5);
  if (length > bytes.size() - kHeader) return std::nullopt;
  SnapshotContents out{std::nullopt, bytes.subspan(kHeader + length)};
  if (length > 0) {
    auto section = bytes.subspan(kHeader, length);
    out.voters = decode_voters(std::string_view(reinterpret_cast<const char*>(section.data()), section.size()));
    if (!out.voters) return std::nullopt;
  }
  return out;
}

}  // namespace runnel::raft
