#include "broker/metadata/log_replay.h"

#include <span>

#include "broker/model/assert.h"

#include "broker/metadata/image_builder.h"
#include "broker/metadata/entry_codec.h"

namespace runnel::metadata {

Replay replay_committed(const Image& image, const raft::RaftLog& log, Offset from, Offset to) {
  RUNNEL_ASSERT(from <= to, "replay from %lld past %lld", static_cast<long long>(from.value()),
                static_cast<long long>(to.value()));
  Replay r;
  ImageBuilder builder(image);
  r.applied = to;
  for (Offset o = from; o < to; o = Offset{o.value() + 1}) {
    const raft::Entry& e = log.at(o);
    if (e.type != raft::EntryType::data) continue;
    auto bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(e.payload.data()), e.payload.size());
    Result<std::vector<Record>, DecodeError> records = decode_entry(bytes);
    if (!records) {
      r.undecodable = ReplayProblem{o, std::string(name(records.error().code)) + " (type " +
                                               std::to_string(records.error().type) + ")"};
      r.applied = o;
      break;
    }
    std::vector<ApplyError> refused = apply_entry(builder, *records, o);
    for (const ApplyError& a : refused) r.refused.push_back({o, std::string(name(a.code)) + " " + a.detail});
    if (refused.size() < records->size()) r.changed = true;
  }
  r.image = r.changed ? builder.build() : image;
  return r;
}

}  // namespace runnel::metadata
