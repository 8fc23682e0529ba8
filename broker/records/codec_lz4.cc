// LZ4 frame format (magic 0x184D2204), as Kafka's KafkaLZ4BlockOutputStream writes it for
// magic v1+ batches: independent blocks, correct header checksum, no content size.
// Kafka's reader rejects dependent blocks, so the compressor uses independent 64 KiB blocks.

#include <lz4frame.h>

#include <memory>

#include "broker/records/codecs.h"

namespace runnel::records::detail {
namespace {

struct DctxDeleter {
  void operator()(LZ4F_dctx* d) const { LZ4F_freeDecompressionContext(d); }
};

LZ4F_dctx* thread_dctx() {
  thread_local std::unique_ptr<LZ4F_dctx, DctxDeleter> ctx = [] {
    LZ4F_dctx* d = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) d = nullptr;
    return std::unique_ptr<LZ4F_dctx, DctxDeleter>(d);
  }();
  return ctx.get();
}

}  // namespace

CodecStatus lz4_decompress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, size_t max_out) {
  LZ4F_dctx* dctx = thread_dctx();
  if (dctx == nullptr) return CodecStatus::corrupt;
  LZ4F_resetDecompressionContext(dctx);
  size_t pos = 0;
  size_t produced = 0;
  while (true) {
    if (!grow_output(out, produced, len, max_out)) {
      out.resize(produced);
      return CodecStatus::too_large;
    }
    size_t room = out.size() - produced;
    size_t src_size = len - pos;
    size_t dst_size = room;
    size_t hint = LZ4F_decompress(dctx, out.data() + produced, &dst_size, in + pos, &src_size, nullptr);
    if (LZ4F_isError(hint)) {
      out.resize(produced);
      return CodecStatus::corrupt;
    }
    pos += src_size;
    produced += dst_size;
    if (hint == 0 && pos == len) break;  // frame complete and nothing follows
    if (hint == 0) continue;             // another frame follows
    bool output_full = dst_size == room;
    if (pos == len && !output_full) {    // the frame wants more input than there is
      out.resize(produced);
      return CodecStatus::corrupt;
    }
    if (src_size == 0 && dst_size == 0 && !output_full) {  // no progress: refuse to spin
      out.resize(produced);
      return CodecStatus::corrupt;
    }
  }
  out.resize(produced);
  return CodecStatus::ok;
}

CodecStatus lz4_compress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, int level) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.compressionLevel = level;
  size_t bound = LZ4F_compressFrameBound(len, &prefs);
  size_t at = out.size();
  out.resize(at + bound);
  size_t written = LZ4F_compressFrame(out.data() + at, bound, in, len, &prefs);
  if (LZ4F_isError(written)) {
    out.resize(at);
    return CodecStatus::corrupt;
  }
  out.resize(at + written);
  return CodecStatus::ok;
}

}  // namespace runnel::records::detail
