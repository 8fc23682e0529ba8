#pragma once

// The active segment's writes, with O_DIRECT.
//
// Why direct I/O: a buffered write copies every byte into the page cache, and growing the page
// cache costs a page allocation (and, on a VM, often a host fault) per 4 KiB; profiles of the
// produce path were dominated by that copy in an io-wq worker on the ring's core. A direct write
// DMAs from a recycled aligned buffer (staging_pool.h) and leaves the page cache alone, so the
// cost per byte is one memcpy, and memory use does not grow with the write rate.
//
// Alignment: offsets, lengths and memory must be page aligned. Batches are not, so each write
// starts at the page holding the segment's current end: it rewrites that partial page (kept in
// Segment::tail) followed by the new bytes, zero-padded to a whole page. The padding is beyond
// size_written and is cut off by finish_appends() (seal, close); after a crash, recovery removes
// it (log_loader.cc: zero padding within the last page is not corruption).
//
// Coherence with buffered reads (Segment::fd): readers never read the partial page from the file
// (they copy it from `tail`), and the read fd has readahead off (POSIX_FADV_RANDOM) while the
// segment is active, so no page the writer will rewrite is ever in the page cache. Pages below
// file_readable are final and may be cached freely.
//
// Where O_DIRECT is refused (tmpfs), the same aligned writes go through the buffered fd.

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

#include "broker/io/task.h"
#include "broker/storage/env.h"
#include "broker/storage/segment.h"

namespace runnel::storage {

// Opens the writer's fd (the file must exist), turns readahead off and loads the partial last
// page. Idempotent. Returns 0 or -errno.
io::Task<int> prepare_appends(LogEnv& env, int dir_fd, Segment& seg);

// Writes `total` bytes given by iov[0..n) at `start` == seg.size_written; the caller then sets
// size_written. Returns 0 or -errno.
io::Task<int> append_direct(LogEnv& env, Segment& seg, uint64_t start, const iovec* iov, size_t n,
                            uint64_t total);

// No more appends: truncates the padding after size_written, closes the writer's fd and turns
// readahead back on. The caller must fdatasync afterwards (the new size is metadata). Returns
// 1 if the file was truncated, 0 if there was nothing to do, or -errno.
io::Task<int> finish_appends(LogEnv& env, Segment& seg);

}  // namespace runnel::storage
