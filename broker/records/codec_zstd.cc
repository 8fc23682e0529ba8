// zstd, streamed so that frames without a content size (zstd-jni's streaming output) work.

#include <zstd.h>

#include <memory>

#include "broker/records/codecs.h"

namespace runnel::records::detail {
namespace {

struct DctxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DctxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

}  // namespace

CodecStatus zstd_decompress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, size_t max_out) {
  ZSTD_DCtx* dctx = thread_dctx();
  if (dctx == nullptr) return CodecStatus::corrupt;
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
  ZSTD_inBuffer input{in, len, 0};
  size_t produced = 0;
  size_t hint = 1;
  while (true) {
    if (!grow_output(out, produced, len, max_out)) {
      out.resize(produced);
      return CodecStatus::too_large;
    }
    ZSTD_outBuffer output{out.data(), out.size(), produced};
    hint = ZSTD_decompressStream(dctx, &output, &input);
    produced = output.pos;
    if (ZSTD_isError(hint)) {
      out.resize(produced);
      return CodecStatus::corrupt;
    }
    if (hint == 0 && input.pos == input.size) break;  // last frame complete and flushed
    if (input.pos == input.size && output.pos < output.size) {
      out.resize(produced);
      return CodecStatus::corrupt;  // truncated frame
    }
  }
  out.resize(produced);
  return CodecStatus::ok;
}

CodecStatus zstd_compress(const uint8_t* in, size_t len, std::vector<uint8_t>& out, int level) {
  size_t bound = ZSTD_compressBound(len);
  size_t at = out.size();
  out.resize(at + bound);
  size_t written = ZSTD_compress(out.data() + at, bound, in, len, level == 0 ? ZSTD_CLEVEL_DEFAULT : level);
  if (ZSTD_isError(written)) {
    out.resize(at);
    return CodecStatus::corrupt;
  }
  out.resize(at + written);
  return CodecStatus::ok;
}

}  // namespace runnel::records::detail
