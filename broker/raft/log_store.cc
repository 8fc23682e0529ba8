#include "broker/raft/log_store.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "broker/model/assert.h"
#include "broker/raft/log_store_io.h"
#include "broker/raft/wire_records.h"
#include "broker/records/batch_header.h"
#include "broker/records/batch_splitter.h"
#include "broker/storage/file_util.h"

namespace runnel::raft {
namespace log_store {
namespace {

constexpr size_t kMaxIoBytes = size_t{1} << 30;

}  // namespace

LogStoreError io_error(const char* step, int neg_errno) {
  return LogStoreError{LogStoreError::Kind::io, "metadata log: " + storage::error_text(step, neg_errno)};
}

bool decode_batch(std::span<const uint8_t> batch, Offset next, LeaderEpoch last_epoch, std::vector<Entry>& out) {
  // decode_entries stops quietly at a cut-off batch: the whole span must be one batch.
  Result<size_t, records::CorruptBatch> size = records::next_batch(batch.data(), batch.size());
  if (!size || *size != batch.size()) return false;
  Result<std::vector<Entry>, wire::WireError> decoded = wire::decode_entries(batch);
  if (!decoded || decoded->empty() || decoded->front().offset != next) return false;
  const LeaderEpoch epoch = decoded->front().epoch;  // one epoch per batch (its partition leader epoch)
  if (epoch < last_epoch || epoch <= kNoEpoch) return false;
  out.insert(out.end(), std::make_move_iterator(decoded->begin()), std::make_move_iterator(decoded->end()));
  return true;
}

bool decode_batches(std::span<const uint8_t> bytes, uint64_t position, Offset next, LeaderEpoch last_epoch,
                    std::vector<BatchLocation>& batches, std::vector<Entry>& entries) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    Result<size_t, records::CorruptBatch> size = records::next_batch(bytes.data() + pos, bytes.size() - pos);
    if (!size || *size == 0) return false;
    if (!decode_batch(bytes.subspan(pos, *size), next, last_epoch, entries)) return false;
    batches.push_back({next, position + pos, uint32_t(*size)});
    next = Offset{entries.back().offset.value() + 1};
    last_epoch = entries.back().epoch;
    pos += *size;
  }
  return true;
}

io::Task<int> write_all(storage::Files& files, int fd, std::span<const uint8_t> bytes, uint64_t position) {
  for (size_t done = 0; done < bytes.size();) {
    const auto len = uint32_t(std::min(bytes.size() - done, kMaxIoBytes));
    const int32_t n = co_await files.write(fd, bytes.data() + done, len, position + done);
    if (n < 0) co_return n;
    if (n == 0) co_return -EIO;
    done += size_t(n);
  }
  co_return 0;
}

io::Task<int> read_all(storage::Files& files, int fd, std::span<uint8_t> bytes, uint64_t position) {
  for (size_t done = 0; done < bytes.size();) {
    const auto len = uint32_t(std::min(bytes.size() - done, kMaxIoBytes));
    const int32_t n = co_await files.read(fd, bytes.data() + done, len, position + done);
    if (n < 0) co_return n;
    if (n == 0) co_return -EIO;  // the file ends before a batch the store indexed
    done += size_t(n);
  }
  co_return 0;
}

io::Task<Result<void, LogStoreError>> write_journal(storage::Files& files, int dir_fd, std::span<const uint8_t> bytes) {
  const int fd = co_await files.open(dir_fd, kMetadataTruncationFileName, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) co_return Unexpected(io_error("create truncation journal", fd));
  int res = co_await write_all(files, fd, bytes, 0);
  const char* step = "write truncation journal";
  if (res >= 0) {
    res = co_await files.fdatasync(fd);
    step = "fdatasync truncation journal";
  }
  co_await files.close(fd);
  if (res < 0) co_return Unexpected(io_error(step, res));
  // The journal's name must be durable before the segment is cut: recovery finds it by name.
  res = co_await files.fsync(dir_fd);
  if (res < 0) co_return Unexpected(io_error("fsync directory after creating the truncation journal", res));
  co_return Result<void, LogStoreError>{};
}

io::Task<Result<void, LogStoreError>> rewrite_tail(storage::Files& files, int fd, uint64_t position,
                                                   std::span<const uint8_t> bytes) {
  int res = co_await files.ftruncate(fd, position);
  if (res < 0) co_return Unexpected(io_error("ftruncate segment", res));
  res = co_await write_all(files, fd, bytes, position);
  if (res < 0) co_return Unexpected(io_error("write truncated batch", res));
  res = co_await files.fdatasync(fd);
  if (res < 0) co_return Unexpected(io_error("fdatasync segment", res));
  co_return Result<void, LogStoreError>{};
}

io::Task<Result<void, LogStoreError>> remove_journal(storage::Files& files, int dir_fd) {
  int res = co_await files.unlink(dir_fd, kMetadataTruncationFileName);
  if (res < 0 && res != -ENOENT) co_return Unexpected(io_error("unlink truncation journal", res));
  // Durably gone before anything is appended after the truncation: a journal that came back
  // would cut those appends off again at the next start.
  res = co_await files.fsync(dir_fd);
  if (res < 0) co_return Unexpected(io_error("fsync directory after removing the truncation journal", res));
  co_return Result<void, LogStoreError>{};
}

}  // namespace log_store

MetadataLogStore::MetadataLogStore(MetadataLogStore&& other) noexcept
    : dir_fd_(std::exchange(other.dir_fd_, -1)),
      fd_(std::exchange(other.fd_, -1)),
      base_offset_(other.base_offset_),
      end_offset_(other.end_offset_),
      size_bytes_(other.size_bytes_),
      batches_(std::move(other.batches_)),
      failed_(other.failed_),
      busy_(other.busy_) {
  RUNNEL_ASSERT(!busy_, "metadata log: moved while an operation is in flight");
}

MetadataLogStore& MetadataLogStore::operator=(MetadataLogStore&& other) noexcept {
  if (this != &other) {
    RUNNEL_ASSERT(!busy_ && !other.busy_, "metadata log: moved while an operation is in flight");
    RUNNEL_ASSERT(fd_ < 0, "metadata log: assigned over an open store (close it first)");
    dir_fd_ = std::exchange(other.dir_fd_, -1);
    fd_ = std::exchange(other.fd_, -1);
    base_offset_ = other.base_offset_;
    end_offset_ = other.end_offset_;
    size_bytes_ = other.size_bytes_;
    batches_ = std::move(other.batches_);
    failed_ = other.failed_;
  }
  return *this;
}

Result<void, LogStoreError> MetadataLogStore::check_usable() const {
  RUNNEL_ASSERT(fd_ >= 0, "metadata log: used after close");
  if (failed_) {
    return Unexpected(LogStoreError{LogStoreError::Kind::failed,
                                    "metadata log: an earlier write failed; reopen the log to recover it"});
  }
  return {};
}

Unexpected<LogStoreError> MetadataLogStore::fail(const char* step, int neg_errno) {
  failed_ = true;
  return Unexpected(log_store::io_error(step, neg_errno));
}

void MetadataLogStore::index_written(std::span<const uint8_t> bytes) {
  for (size_t pos = 0; pos < bytes.size();) {
    Result<size_t, records::CorruptBatch> size = records::next_batch(bytes.data() + pos, bytes.size() - pos);
    records::BatchHeader h;
    RUNNEL_ASSERT(size && *size >= records::layout::header_size && records::parse_header(bytes.data() + pos, *size, h),
                  "metadata log: encode_entries made a batch that does not parse at byte %zu", pos);
    RUNNEL_ASSERT(h.base_offset == end_offset_.value(), "metadata log: batch at offset %lld after end offset %lld",
                  static_cast<long long>(h.base_offset), static_cast<long long>(end_offset_.value()));
    batches_.push_back({Offset{h.base_offset}, size_bytes_, uint32_t(*size)});
    end_offset_ = Offset{h.last_offset() + 1};
    size_bytes_ += *size;
    pos += *size;
  }
}

io::Task<Result<void, LogStoreError>> MetadataLogStore::append(storage::Files& files, std::span<const Entry> entries,
                                                               int64_t timestamp_ms) {
  if (auto usable = check_usable(); !usable) co_return usable;
  if (entries.empty()) co_return Result<void, LogStoreError>{};
  RUNNEL_ASSERT(entries.front().offset == end_offset_, "metadata log: append at offset %lld but the log ends at %lld",
                static_cast<long long>(entries.front().offset.value()), static_cast<long long>(end_offset_.value()));
  log_store::BusyScope busy(busy_);
  const std::vector<uint8_t> bytes = wire::encode_entries(entries, timestamp_ms);
  const int res = co_await log_store::write_all(files, fd_, bytes, size_bytes_);
  // A failed write may have left part of the bytes: the end of the file is unknown now.
  if (res < 0) co_return fail("write segment", res);
  index_written(bytes);
  co_return Result<void, LogStoreError>{};
}

io::Task<Result<void, LogStoreError>> MetadataLogStore::sync(storage::Files& files) {
  if (auto usable = check_usable(); !usable) co_return usable;
  log_store::BusyScope busy(busy_);
  // A failed fdatasync may have dropped the dirty pages it could not write (Linux marks them
  // clean): retrying would report success for lost bytes. So the store fails until reopened.
  const int res = co_await files.fdatasync(fd_);
  if (res < 0) co_return fail("fdatasync segment", res);
  co_return Result<void, LogStoreError>{};
}

io::Task<Result<void, LogStoreError>> MetadataLogStore::truncate_to(storage::Files& files, Offset end_offset) {
  if (auto usable = check_usable(); !usable) co_return usable;
  RUNNEL_ASSERT(end_offset >= base_offset_ && end_offset <= end_offset_,
                "metadata log: truncate to %lld outside the log [0, %lld]", static_cast<long long>(end_offset.value()),
                static_cast<long long>(end_offset_.value()));
  if (end_offset == end_offset_) co_return Result<void, LogStoreError>{};
  log_store::BusyScope busy(busy_);
  // The batch holding end_offset: the last one that starts at or below it.
  auto it = std::upper_bound(batches_.begin(), batches_.end(), end_offset,
                             [](Offset o, const BatchLocation& b) { return o < b.base_offset; });
  RUNNEL_ASSERT(it != batches_.begin(), "metadata log: no batch holds offset %lld",
                static_cast<long long>(end_offset.value()));
  const size_t batch = size_t(std::prev(it) - batches_.begin());
  if (batches_[batch].base_offset != end_offset) co_return co_await truncate_inside(files, batch, end_offset);

  const uint64_t position = batches_[batch].position;
  int res = co_await files.ftruncate(fd_, position);
  if (res < 0) co_return fail("ftruncate segment", res);
  // Synced at once (see log_store.h): nothing new is written where the cut bytes were until
  // the cut is on disk.
  res = co_await files.fdatasync(fd_);
  if (res < 0) co_return fail("fdatasync segment", res);
  batches_.resize(batch);
  size_bytes_ = position;
  end_offset_ = end_offset;
  co_return Result<void, LogStoreError>{};
}

io::Task<Result<void, LogStoreError>> MetadataLogStore::truncate_inside(storage::Files& files, size_t batch,
                                                                        Offset end_offset) {
  const BatchLocation at = batches_[batch];
  std::vector<uint8_t> bytes(at.size_bytes);
  const int res = co_await log_store::read_all(files, fd_, bytes, at.position);
  // Nothing changed yet: an error, but the store is still what it was.
  if (res < 0) co_return Unexpected(log_store::io_error("read batch to truncate", res));
  std::vector<Entry> entries;
  records::BatchHeader header;
  if (!log_store::decode_batch(bytes, at.base_offset, kNoEpoch, entries) ||
      !records::parse_header(bytes.data(), bytes.size(), header) || entries.back().offset < end_offset) {
    // Not a store failure: nothing was changed. The driver cannot go on without the truncation.
    co_return Unexpected(LogStoreError{
        LogStoreError::Kind::damaged, "metadata log: the batch at position " + std::to_string(at.position) +
                                          " (offset " + std::to_string(at.base_offset.value()) + ") no longer decodes"});
  }
  // The entries below end_offset, as encode_entries wrote them (every record had the batch's
  // first timestamp).
  entries.resize(size_t(end_offset.value() - at.base_offset.value()));
  const std::vector<uint8_t> prefix = wire::encode_entries(entries, header.base_timestamp);
  // Journal first, so that a power cut between the cut and the rewrite loses nothing (log_store.h).
  Result<void, LogStoreError> done = co_await log_store::write_journal(files, dir_fd_, prefix);
  if (done) done = co_await log_store::rewrite_tail(files, fd_, at.position, prefix);
  if (done) done = co_await log_store::remove_journal(files, dir_fd_);
  if (!done) {
    failed_ = true;
    co_return done;
  }
  batches_.resize(batch);
  size_bytes_ = at.position;
  end_offset_ = at.base_offset;
  index_written(prefix);
  co_return Result<void, LogStoreError>{};
}

void MetadataLogStore::close(storage::Files& files) {
  RUNNEL_ASSERT(!busy_, "metadata log: closed while an operation is in flight");
  if (fd_ >= 0) files.close_detached(std::exchange(fd_, -1));
}

}  // namespace runnel::raft
