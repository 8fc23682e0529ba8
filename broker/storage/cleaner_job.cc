#include "broker/storage/cleaner_job.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "broker/records/batch_header.h"
#include "broker/records/compression.h"
#include "broker/records/record_iterator.h"
#include "broker/storage/cleaner_rewrite.h"
#include "broker/storage/file_util.h"
#include "broker/storage/offset_map.h"

namespace runnel::storage {
namespace {

using records::BatchHeader;

bool aborted(const CleanerJobInput& in) { return in.abort != nullptr && in.abort->load(std::memory_order_relaxed); }

// Calls fn(header, batch bytes) for every batch of a sealed segment; false on a short read.
template <typename F>
bool for_each_batch(Files& files, const SegmentSnapshot& s, F&& fn) {
  BlockingFileWindow window(files, s.fd, s.size);
  for (uint64_t pos = 0; pos < s.size;) {
    const uint8_t* p = window.at(pos, records::layout::header_size);
    if (p == nullptr) return false;
    BatchHeader h;
    records::parse_header(p, records::layout::header_size, h);
    const auto size = size_t(h.size_bytes());
    const uint8_t* whole = window.at(pos, size);
    if (whole == nullptr || size < records::layout::header_size) return false;
    if (!fn(h, whole, size)) return true;  // the callback asked to stop
    pos += size;
  }
  return true;
}

// Step 1. Returns false on error (in result).
bool build_map(const CleanerJobInput& in, OffsetMap& map, CleanerJobResult& r) {
  r.map_end = in.first_dirty;
  bool full = false;
  std::vector<uint8_t> inflated;
  for (const SegmentSnapshot& s : in.segments) {
    if (full || aborted(in)) break;
    if (s.next_offset <= in.first_dirty || s.base_offset >= in.first_uncleanable) continue;
    const bool ok = for_each_batch(*in.files, s, [&](const BatchHeader& h, const uint8_t* batch, size_t size) {
      if (aborted(in)) return false;
      if (h.last_offset() < in.first_dirty) return true;
      if (h.is_control() || !h.compression_known()) {  // no keys to map
        r.map_end = h.last_offset() + 1;
        return true;
      }
      if (map.would_overflow(size_t(std::max(h.records_count, 0)))) {
        full = true;
        return false;
      }
      const uint8_t* body = batch + records::layout::header_size;
      size_t body_size = size - records::layout::header_size;
      if (h.compression() != records::Compression::none) {
        if (records::decompress(h.compression(), body, body_size, inflated, 64u << 20) != records::CodecStatus::ok) {
          r.map_end = h.last_offset() + 1;  // undecodable: nothing to map, kept as is
          return true;
        }
        body = inflated.data();
        body_size = inflated.size();
      }
      records::RecordReader reader(body, body_size, h.records_count);
      records::RecordView rec;
      while (reader.next(rec)) {
        const int64_t offset = h.base_offset + rec.offset_delta;
        if (offset >= in.first_dirty && !rec.key.is_null()) map.put(rec.key.data, rec.key.size(), offset);
      }
      r.map_end = h.last_offset() + 1;
      return true;
    });
    if (!ok) {
      r.error = -EIO;
      r.message = "short read while building the offset map";
      return false;
    }
  }
  if (full && r.map_end == in.first_dirty && map.size() == 0) {
    r.error = -EOVERFLOW;
    r.message = "log.cleaner.dedupe.buffer.size too small for one batch";
    return false;
  }
  if (!full && !aborted(in)) r.map_end = std::max(r.map_end, in.first_uncleanable);
  r.stats.map_entries = int64_t(map.size());
  return true;
}

}  // namespace

std::string cleaned_file_name(int64_t base) { return segment_file_name(base, ".log.cleaned"); }

std::vector<std::pair<size_t, size_t>> group_segments(const std::vector<SegmentSnapshot>& segs, size_t count,
                                                      int64_t max_group_bytes) {
  std::vector<std::pair<size_t, size_t>> groups;
  for (size_t i = 0; i < count;) {
    size_t j = i;
    int64_t bytes = int64_t(segs[i].size);
    while (j + 1 < count && bytes + int64_t(segs[j + 1].size) <= max_group_bytes &&
           segs[j + 1].next_offset - 1 - segs[i].base_offset <= int64_t(INT32_MAX)) {
      ++j;
      bytes += int64_t(segs[j].size);
    }
    groups.emplace_back(i, j);
    i = j + 1;
  }
  return groups;
}

CleanerJobResult run_cleaner_job(const CleanerJobInput& in) {
  CleanerJobResult r;
  // Background work: when this helper thread shares a core with a ring thread (runnel.cores
  // pinning), the scheduler should prefer the ring thread. Linux nice values are per thread;
  // the helper thread exits after the job, so this affects nothing else.
  if (in.lower_priority) ::setpriority(PRIO_PROCESS, id_t(::syscall(SYS_gettid)), 10);
  OffsetMap map(in.dedupe_buffer_bytes);
  if (!build_map(in, map, r)) return r;
  if (aborted(in)) {
    r.aborted = true;
    return r;
  }
  // Segments with anything below map_end are rewritten.
  size_t count = 0;
  while (count < in.segments.size() && in.segments[count].base_offset < r.map_end) ++count;
  if (count == 0) return r;

  // Step 2: last batch of each producer among them (header walk).
  std::unordered_map<int64_t, int64_t> producer_last;
  for (size_t i = 0; i < count; ++i) {
    const SegmentSnapshot& s = in.segments[i];
    uint8_t buf[records::layout::header_size];
    for (uint64_t pos = 0; pos < s.size;) {
      if (pread_full(*in.files, s.fd, buf, sizeof(buf), pos) != int64_t(sizeof(buf))) break;
      BatchHeader h;
      records::parse_header(buf, sizeof(buf), h);
      if (h.has_producer_id()) producer_last[h.producer_id] = h.last_offset();
      pos += uint64_t(h.size_bytes());
    }
  }

  FilterContext ctx;
  ctx.map = &map;
  ctx.map_end = r.map_end;
  ctx.now_ms = in.now_ms;
  ctx.delete_retention_ms = in.delete_retention_ms;
  ctx.producer_last_offsets = &producer_last;

  Files& files = *in.files;
  auto remove_cleaned = [&] {
    for (const CleanedGroup& g : r.groups) {
      files.unlink(in.dir_fd, cleaned_file_name(g.segment->base_offset.value()).c_str()).run();
    }
    r.groups.clear();
  };
  auto fail = [&](const char* what, int res) {
    r.error = res < 0 ? res : -EIO;
    r.message = error_text(what, r.error);
    remove_cleaned();
  };

  std::vector<uint8_t> out;
  out.reserve(in.io_buffer_bytes + (1u << 20));
  for (const auto& [first, last] : group_segments(in.segments, count, in.segment_bytes)) {
    const int64_t base = in.segments[first].base_offset;
    CleanedGroup g;
    g.segment = std::make_shared<Segment>(*in.segment_files, Offset(base));
    Segment& seg = *g.segment;
    for (size_t i = first; i <= last; ++i) g.old_bases.push_back(in.segments[i].base_offset);
    const int fd = files.open(in.dir_fd, cleaned_file_name(base).c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644).run();
    if (fd < 0) {
      fail("create cleaned segment", fd);
      return r;
    }
    seg.fd = fd;
    r.groups.push_back(g);
    uint64_t written = 0;
    out.clear();
    int res = 0;
    for (size_t i = first; i <= last && res >= 0; ++i) {
      const bool read_ok = for_each_batch(files, in.segments[i], [&](const BatchHeader&, const uint8_t* batch, size_t size) {
        if (aborted(in)) return false;
        r.stats.bytes_read += int64_t(size);
        const size_t before = out.size();
        const BatchOutcome o = filter_batch(batch, size, ctx, out);
        r.stats.records_removed += o.records_removed;
        if (o.action == BatchAction::dropped) ++r.stats.batches_dropped;
        if (o.action == BatchAction::rewritten || o.action == BatchAction::kept_empty) ++r.stats.batches_rewritten;
        if (o.action != BatchAction::dropped) {
          seg.on_batch(written + before, out.size() - before, Offset(o.header.last_offset()), o.header.max_timestamp,
                       in.index_interval_bytes);
        }
        if (o.tombstones_kept && o.delete_horizon >= 0) {
          r.earliest_delete_horizon = std::min(r.earliest_delete_horizon, o.delete_horizon);
        }
        if (out.size() >= in.io_buffer_bytes) {
          if ((res = pwrite_full(files, seg.fd, out.data(), out.size(), written)) < 0) return false;
          written += out.size();
          out.clear();
        }
        return true;
      });
      if (!read_ok) res = -EIO;
    }
    if (res >= 0 && !out.empty()) {
      res = pwrite_full(files, seg.fd, out.data(), out.size(), written);
      written += out.size();
    }
    if (res >= 0) res = files.fdatasync(seg.fd).run();
    if (res < 0) {
      fail("write cleaned segment", res);
      return r;
    }
    if (aborted(in)) break;
    r.stats.bytes_written += int64_t(written);
    seg.size_assigned = seg.size_written = seg.size_synced = written;
    seg.next_offset = Offset(in.segments[last].next_offset);
    seg.file_created = seg.sealed = seg.seal_done = true;
    seg.created_ms = in.now_ms;
    seg.add_final_time_entry();
  }
  if (aborted(in)) {
    remove_cleaned();
    r.aborted = true;
  }
  return r;
}

}  // namespace runnel::storage
