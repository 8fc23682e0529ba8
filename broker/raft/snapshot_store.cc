#include "broker/raft/snapshot_store.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <vector>

#include "broker/model/assert.h"
#include "broker/raft/log_store_io.h"
#include "broker/storage/file_util.h"

namespace runnel::raft {

namespace {

constexpr std::string_view kSuffix = ".checkpoint";
constexpr std::string_view kPartSuffix = ".part";

std::optional<int64_t> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || value > (INT64_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// The snapshots in the directory, newest first.
Result<std::vector<OffsetAndEpoch>, LogStoreError> list_snapshots(storage::Files& files, int dir_fd,
                                                                  std::vector<std::string>& names) {
  int res = files.list(dir_fd, &names).run();
  if (res < 0) return Unexpected(log_store::io_error("list directory", res));
  std::vector<OffsetAndEpoch> ids;
  for (const auto& n : names) {
    if (auto id = parse_snapshot_file_name(n)) ids.push_back(*id);
  }
  // Newest by end offset (then epoch): a later snapshot covers more of the same committed log.
  std::sort(ids.begin(), ids.end(), [](const OffsetAndEpoch& a, const OffsetAndEpoch& b) {
    return a.offset != b.offset ? a.offset > b.offset : a.epoch > b.epoch;
  });
  return ids;
}

}  // namespace

std::string snapshot_file_name(OffsetAndEpoch id) {
  RUNNEL_ASSERT(id.offset.value() >= 0 && id.epoch.value() >= 0, "snapshot id (%lld, %d)",
                static_cast<long long>(id.offset.value()), id.epoch.value());
  char name[48];
  std::snprintf(name, sizeof name, "%020" PRId64 "-%010d.checkpoint", id.offset.value(), id.epoch.value());
  return name;
}

std::optional<OffsetAndEpoch> parse_snapshot_file_name(std::string_view name) {
  if (name.size() != 20 + 1 + 10 + kSuffix.size() || !name.ends_with(kSuffix) || name[20] != '-') return std::nullopt;
  auto offset = digits(name.substr(0, 20));
  auto epoch = digits(name.substr(21, 10));
  if (!offset || !epoch || *epoch > INT32_MAX) return std::nullopt;
  return OffsetAndEpoch{Offset{*offset}, LeaderEpoch{static_cast<int32_t>(*epoch)}};
}

Result<void, LogStoreError> write_snapshot(storage::Files& files, int dir_fd, OffsetAndEpoch id,
                                           std::span<const uint8_t> bytes) {
  RUNNEL_ASSERT(files.sync(), "snapshot store: blocking, it needs a synchronous Files");
  const std::string name = snapshot_file_name(id);
  const std::string part = name + std::string(kPartSuffix);
  auto written = storage::write_file_synced_at(files, dir_fd, part.c_str(), bytes);
  if (!written) return Unexpected(LogStoreError{LogStoreError::Kind::io, "metadata snapshot: " + written.error()});
  int res = files.rename(dir_fd, part.c_str(), dir_fd, name.c_str()).run();
  if (res < 0) return Unexpected(log_store::io_error("rename snapshot", res));
  res = files.fsync(dir_fd).run();
  if (res < 0) return Unexpected(log_store::io_error("fsync snapshot directory", res));

  // Retention: the newest kSnapshotsKept, so a damaged newest one still has a predecessor.
  std::vector<std::string> names;
  Result<std::vector<OffsetAndEpoch>, LogStoreError> ids = list_snapshots(files, dir_fd, names);
  if (!ids) return Unexpected(ids.error());
  bool removed = false;
  for (size_t i = kSnapshotsKept; i < ids->size(); ++i) {
    res = files.unlink(dir_fd, snapshot_file_name((*ids)[i]).c_str()).run();
    // Two writers (the controller's snapshot, an installed one) may both remove the oldest.
    if (res < 0 && res != -ENOENT) return Unexpected(log_store::io_error("unlink an old snapshot", res));
    removed = true;
  }
  if (removed) {
    res = files.fsync(dir_fd).run();
    if (res < 0) return Unexpected(log_store::io_error("fsync snapshot directory", res));
  }
  return {};
}

Result<LoadedSnapshot, LogStoreError> load_newest_snapshot(storage::Files& files, int dir_fd,
                                                           const SnapshotValidator& valid) {
  RUNNEL_ASSERT(files.sync(), "snapshot store: blocking, it needs a synchronous Files");
  std::vector<std::string> names;
  Result<std::vector<OffsetAndEpoch>, LogStoreError> ids = list_snapshots(files, dir_fd, names);
  if (!ids) return Unexpected(ids.error());
  // A `.part` file is a write that a crash interrupted: never renamed, never a snapshot.
  for (const auto& n : names) {
    if (!n.ends_with(std::string(kSuffix) + std::string(kPartSuffix))) continue;
    int res = files.unlink(dir_fd, n.c_str()).run();
    if (res < 0 && res != -ENOENT) return Unexpected(log_store::io_error("unlink a partial snapshot", res));
  }
  LoadedSnapshot loaded;
  for (const OffsetAndEpoch& id : *ids) {
    std::vector<uint8_t> bytes;
    const bool read = storage::read_whole_file_at(files, dir_fd, snapshot_file_name(id).c_str(), bytes);
    if (read && !bytes.empty() && id.offset.value() > 0 && valid(bytes)) {
      loaded.snapshot = Snapshot{id, std::make_shared<const std::vector<uint8_t>>(std::move(bytes))};
      return loaded;
    }
    ++loaded.damaged;
  }
  return loaded;
}

}  // namespace runnel::raft
