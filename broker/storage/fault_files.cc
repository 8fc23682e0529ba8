#include "broker/storage/fault_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "broker/storage/staging_pool.h"

namespace runnel::storage {
namespace {

std::vector<std::string> split_path(const char* path) {
  std::vector<std::string> parts;
  std::string cur;
  for (const char* p = path; *p != '\0'; ++p) {
    if (*p == '/') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += *p;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

void apply_write(std::vector<uint8_t>& data, uint64_t offset, const uint8_t* p, size_t n) {
  if (data.size() < offset + n) data.resize(size_t(offset + n), 0);
  std::memcpy(data.data() + offset, p, n);
}

}  // namespace

FaultFiles::FaultFiles(const Clock& clock) : clock_(clock) { nodes_[kRoot].dir = true; }

bool FaultFiles::mutating(const FileOp& op) {
  switch (op.kind) {
    case FileOpKind::write:
    case FileOpKind::writev:
    case FileOpKind::fsync:
    case FileOpKind::fdatasync:
    case FileOpKind::ftruncate:
    case FileOpKind::unlink:
    case FileOpKind::rename:
    case FileOpKind::mkdir: return true;
    case FileOpKind::open: return (op.flags & (O_CREAT | O_TRUNC)) != 0;
    default: return false;
  }
}

bool FaultFiles::start(FileOp& op) {
  std::lock_guard lock(mu_);
  if (op.kind == FileOpKind::close) {  // works even without power: the fd goes away
    op.res = fds_.erase(op.fd) == 1 ? 0 : -EBADF;
    collect_garbage();
    return false;
  }
  if (mutating(op) && !powered_off_ && mutating_ops_ >= power_off_at_) powered_off_ = true;
  if (powered_off_) {
    op.res = -EIO;
    return false;
  }
  if (hook_) {
    std::string path;
    if (op.kind == FileOpKind::open || op.kind == FileOpKind::unlink || op.kind == FileOpKind::rename ||
        op.kind == FileOpKind::mkdir) {
      uint64_t parent = 0;
      std::string name;
      resolve_parent(op.fd, op.path, parent, name, path);
    } else if (const OpenFile* f = open_file(op.fd)) {
      path = f->path;
    }
    if (int err = hook_(op.kind, path); err != 0) {
      op.res = err;
      return false;
    }
  }
  if (mutating(op)) ++mutating_ops_;
  op.res = execute(op);
  return false;
}

void FaultFiles::close_detached(int fd) {
  std::lock_guard lock(mu_);
  fds_.erase(fd);
  collect_garbage();
}

const FaultFiles::OpenFile* FaultFiles::open_file(int fd) const {
  auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : &it->second;
}

int32_t FaultFiles::resolve_parent(int dir_fd, const char* path, uint64_t& parent, std::string& name,
                                   std::string& full) const {
  uint64_t at = kRoot;
  std::string base;
  if (path[0] != '/' && dir_fd != AT_FDCWD) {
    const OpenFile* f = open_file(dir_fd);
    if (f == nullptr) return -EBADF;
    if (!nodes_.at(f->node).dir) return -ENOTDIR;
    at = f->node;
    base = f->path;
  }
  std::vector<std::string> parts = split_path(path);
  parts.erase(std::remove(parts.begin(), parts.end(), "."), parts.end());
  full = base;
  for (const std::string& p : parts) full.append(1, '/').append(p);
  if (full.empty()) full.assign(1, '/');
  if (parts.empty()) {
    parent = at;
    name.clear();
    return 0;
  }
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const Node& d = nodes_.at(at);
    auto it = d.entries.find(parts[i]);
    if (it == d.entries.end()) return -ENOENT;
    if (!nodes_.at(it->second).dir) return -ENOTDIR;
    at = it->second;
  }
  parent = at;
  name = parts.back();
  return 0;
}

int32_t FaultFiles::lookup(int dir_fd, const char* path, uint64_t& node) const {
  uint64_t parent = 0;
  std::string name, full;
  if (int32_t res = resolve_parent(dir_fd, path, parent, name, full); res < 0) return res;
  if (name.empty()) {
    node = parent;
    return 0;
  }
  const Node& d = nodes_.at(parent);
  auto it = d.entries.find(name);
  if (it == d.entries.end()) return -ENOENT;
  node = it->second;
  return 0;
}

uint64_t FaultFiles::new_node(bool dir) {
  const uint64_t id = next_node_++;
  Node& n = nodes_[id];
  n.dir = dir;
  n.mtime_ms = clock_.now_ms();
  return id;
}

void FaultFiles::link(uint64_t dir, const std::string& name, uint64_t node) {
  Node& d = nodes_.at(dir);
  d.entries[name] = node;
  d.dir_unsynced.push_back({DirChange::Kind::link, name, {}, node});
}

uint64_t FaultFiles::used_locked() const {
  uint64_t used = 0;
  for (const auto& [_, n] : nodes_) used += n.data.size();
  return used;
}

int32_t FaultFiles::do_write(uint64_t id, uint64_t offset, const uint8_t* p, size_t n) {
  Node& node = nodes_.at(id);
  if (node.dir) return -EISDIR;
  const uint64_t end = offset + n;
  if (capacity_ != UINT64_MAX && end > node.data.size() && used_locked() + (end - node.data.size()) > capacity_) {
    return -ENOSPC;
  }
  apply_write(node.data, offset, p, n);
  node.unsynced.push_back({false, offset, std::vector<uint8_t>(p, p + n)});
  node.mtime_ms = clock_.now_ms();
  return int32_t(n);
}

int32_t FaultFiles::do_truncate(uint64_t id, uint64_t size) {
  Node& node = nodes_.at(id);
  if (node.dir) return -EISDIR;
  if (capacity_ != UINT64_MAX && size > node.data.size() && used_locked() + (size - node.data.size()) > capacity_) {
    return -ENOSPC;
  }
  node.data.resize(size_t(size), 0);
  node.unsynced.push_back({true, size, {}});
  node.mtime_ms = clock_.now_ms();
  return 0;
}

int32_t FaultFiles::do_sync(uint64_t id) {
  Node& node = nodes_.at(id);
  if (node.dir) {
    node.synced_entries = node.entries;
    node.dir_unsynced.clear();
    collect_garbage();
  } else {
    node.synced = node.data;
    node.unsynced.clear();
  }
  return 0;
}

int32_t FaultFiles::do_open(FileOp& op) {
  uint64_t parent = 0;
  std::string name, full;
  if (int32_t res = resolve_parent(op.fd, op.path, parent, name, full); res < 0) return res;
  uint64_t id = parent;
  if (!name.empty()) {
    Node& d = nodes_.at(parent);
    if (!d.dir) return -ENOTDIR;
    auto it = d.entries.find(name);
    if (it == d.entries.end()) {
      if ((op.flags & O_CREAT) == 0) return -ENOENT;
      if ((op.flags & O_DIRECTORY) != 0) return -EINVAL;
      id = new_node(false);
      link(parent, name, id);
    } else {
      if ((op.flags & O_CREAT) != 0 && (op.flags & O_EXCL) != 0) return -EEXIST;
      id = it->second;
    }
  }
  const Node& node = nodes_.at(id);
  if ((op.flags & O_DIRECTORY) != 0 && !node.dir) return -ENOTDIR;
  if (node.dir && (op.flags & O_ACCMODE) != O_RDONLY) return -EISDIR;
  if ((op.flags & O_TRUNC) != 0 && !node.data.empty()) do_truncate(id, 0);
  const int fd = next_fd_++;
  fds_[fd] = {id, full};
  return fd;
}

int32_t FaultFiles::do_unlink(FileOp& op) {
  uint64_t parent = 0;
  std::string name, full;
  if (int32_t res = resolve_parent(op.fd, op.path, parent, name, full); res < 0) return res;
  if (name.empty()) return -EBUSY;
  Node& d = nodes_.at(parent);
  auto it = d.entries.find(name);
  if (it == d.entries.end()) return -ENOENT;
  const Node& target = nodes_.at(it->second);
  if ((op.flags & AT_REMOVEDIR) != 0) {
    if (!target.dir) return -ENOTDIR;
    if (!target.entries.empty()) return -ENOTEMPTY;
  } else if (target.dir) {
    return -EISDIR;
  }
  d.dir_unsynced.push_back({DirChange::Kind::unlink, name, {}, it->second});
  d.entries.erase(it);
  collect_garbage();
  return 0;
}

int32_t FaultFiles::do_rename(FileOp& op) {
  uint64_t from_dir = 0, to_dir = 0;
  std::string from, to, full;
  if (int32_t res = resolve_parent(op.fd, op.path, from_dir, from, full); res < 0) return res;
  if (int32_t res = resolve_parent(op.fd2, op.path2, to_dir, to, full); res < 0) return res;
  if (from.empty() || to.empty()) return -EBUSY;
  Node& src = nodes_.at(from_dir);
  auto it = src.entries.find(from);
  if (it == src.entries.end()) return -ENOENT;
  const uint64_t id = it->second;
  if (from_dir == to_dir) {
    if (from == to) return 0;
    src.entries.erase(it);
    src.entries[to] = id;
    src.dir_unsynced.push_back({DirChange::Kind::rename, from, to, id});
  } else {  // two directories: two independent changes
    src.entries.erase(it);
    src.dir_unsynced.push_back({DirChange::Kind::unlink, from, {}, id});
    link(to_dir, to, id);
  }
  return 0;
}

int32_t FaultFiles::execute(FileOp& op) {
  switch (op.kind) {
    case FileOpKind::open: return do_open(op);
    case FileOpKind::close: return 0;  // handled in start()
    case FileOpKind::unlink: return do_unlink(op);
    case FileOpKind::rename: return do_rename(op);
    case FileOpKind::mkdir: {
      uint64_t parent = 0;
      std::string name, full;
      if (int32_t res = resolve_parent(op.fd, op.path, parent, name, full); res < 0) return res;
      if (name.empty() || nodes_.at(parent).entries.count(name) != 0) return -EEXIST;
      link(parent, name, new_node(true));
      return 0;
    }
    default: break;
  }
  const OpenFile* f = open_file(op.fd);
  if (f == nullptr) return -EBADF;
  const uint64_t id = f->node;
  Node& node = nodes_.at(id);
  switch (op.kind) {
    case FileOpKind::read: {
      if (node.dir) return -EISDIR;
      if (op.offset >= node.data.size()) return 0;
      const auto n = size_t(std::min<uint64_t>(op.len, node.data.size() - op.offset));
      std::memcpy(op.buf, node.data.data() + op.offset, n);
      return int32_t(n);
    }
    case FileOpKind::write: return do_write(id, op.offset, static_cast<const uint8_t*>(op.buf), op.len);
    case FileOpKind::writev: {
      std::vector<uint8_t> all;
      for (uint32_t i = 0; i < op.len; ++i) {
        const auto* p = static_cast<const uint8_t*>(op.iov[i].iov_base);
        all.insert(all.end(), p, p + op.iov[i].iov_len);
      }
      return do_write(id, op.offset, all.data(), all.size());
    }
    case FileOpKind::fsync:
    case FileOpKind::fdatasync: return do_sync(id);
    case FileOpKind::ftruncate: return do_truncate(id, op.offset);
    case FileOpKind::fadvise: return 0;
    case FileOpKind::fstat: {
      std::memset(op.st, 0, sizeof(*op.st));
      op.st->st_mode = node.dir ? S_IFDIR | 0755 : S_IFREG | 0644;
      op.st->st_size = off_t(node.data.size());
      op.st->st_mtim.tv_sec = node.mtime_ms / 1000;
      op.st->st_mtim.tv_nsec = (node.mtime_ms % 1000) * 1'000'000;
      return 0;
    }
    case FileOpKind::list: {
      if (!node.dir) return -ENOTDIR;
      op.names->clear();
      for (const auto& [name, _] : node.entries) op.names->push_back(name);
      return 0;
    }
    default: return -EINVAL;
  }
}

void FaultFiles::power_off_after(uint64_t ops) {
  std::lock_guard lock(mu_);
  power_off_at_ = mutating_ops_ + ops;
}

bool FaultFiles::powered_off() const {
  std::lock_guard lock(mu_);
  return powered_off_;
}

uint64_t FaultFiles::mutating_ops() const {
  std::lock_guard lock(mu_);
  return mutating_ops_;
}

void FaultFiles::power_cut(std::mt19937_64& rng, double keep_probability) {
  std::lock_guard lock(mu_);
  std::bernoulli_distribution keep(keep_probability);
  for (auto& [id, n] : nodes_) {
    if (n.dir) {
      std::map<std::string, uint64_t> entries = n.synced_entries;
      std::set<std::string> lost;  // names with a lost change: later changes on them are lost too
      for (const DirChange& c : n.dir_unsynced) {
        const bool blocked = lost.count(c.name) != 0 || (!c.name2.empty() && lost.count(c.name2) != 0);
        if (blocked || !keep(rng)) {
          lost.insert(c.name);
          if (!c.name2.empty()) lost.insert(c.name2);
          continue;
        }
        switch (c.kind) {
          case DirChange::Kind::link: entries[c.name] = c.node; break;
          case DirChange::Kind::unlink: entries.erase(c.name); break;
          case DirChange::Kind::rename:
            entries.erase(c.name);
            entries[c.name2] = c.node;
            break;
        }
      }
      n.entries = n.synced_entries = entries;
      n.dir_unsynced.clear();
    } else {
      std::vector<uint8_t> data = n.synced;
      for (const Change& c : n.unsynced) {
        if (c.truncate) {
          if (keep(rng)) data.resize(size_t(c.offset), 0);
          continue;
        }
        // Page by page: the page cache writes back (and a power cut tears) whole pages.
        for (uint64_t at = c.offset; at < c.offset + c.bytes.size();) {
          const uint64_t end = std::min<uint64_t>(page_floor(at) + kPageBytes, c.offset + c.bytes.size());
          if (keep(rng)) apply_write(data, at, c.bytes.data() + (at - c.offset), size_t(end - at));
          at = end;
        }
      }
      n.data = n.synced = data;
      n.unsynced.clear();
    }
  }
  fds_.clear();
  powered_off_ = false;
  power_off_at_ = UINT64_MAX;
  collect_garbage();
}

void FaultFiles::process_crash() {
  std::lock_guard lock(mu_);
  fds_.clear();
  collect_garbage();
}

void FaultFiles::collect_garbage() {
  // Reachable from the root now, or named by an unsynced directory change (a power cut may
  // still bring that name back), or open.
  std::set<uint64_t> live{kRoot};
  std::vector<uint64_t> todo{kRoot};
  auto visit = [&](uint64_t id) {
    if (nodes_.count(id) != 0 && live.insert(id).second) todo.push_back(id);
  };
  for (const auto& [_, f] : fds_) visit(f.node);
  while (!todo.empty()) {
    const uint64_t id = todo.back();
    todo.pop_back();
    const Node& n = nodes_.at(id);
    for (const auto& [_, child] : n.entries) visit(child);
    for (const auto& [_, child] : n.synced_entries) visit(child);
    for (const DirChange& c : n.dir_unsynced) visit(c.node);
  }
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    it = live.count(it->first) != 0 ? std::next(it) : nodes_.erase(it);
  }
}

void FaultFiles::set_fault_hook(FaultHook hook) {
  std::lock_guard lock(mu_);
  hook_ = std::move(hook);
}

void FaultFiles::set_capacity(uint64_t bytes) {
  std::lock_guard lock(mu_);
  capacity_ = bytes;
}

uint64_t FaultFiles::used_bytes() const {
  std::lock_guard lock(mu_);
  return used_locked();
}

bool FaultFiles::exists(const std::string& path) const {
  std::lock_guard lock(mu_);
  uint64_t id = 0;
  return lookup(AT_FDCWD, path.c_str(), id) == 0;
}

std::vector<uint8_t> FaultFiles::contents(const std::string& path) const {
  std::lock_guard lock(mu_);
  uint64_t id = 0;
  if (lookup(AT_FDCWD, path.c_str(), id) != 0) return {};
  return nodes_.at(id).data;
}

std::vector<std::string> FaultFiles::list_dir(const std::string& path) const {
  std::lock_guard lock(mu_);
  uint64_t id = 0;
  std::vector<std::string> out;
  if (lookup(AT_FDCWD, path.c_str(), id) != 0) return out;
  for (const auto& [name, _] : nodes_.at(id).entries) out.push_back(name);
  return out;
}

size_t FaultFiles::open_files() const {
  std::lock_guard lock(mu_);
  return fds_.size();
}

}  // namespace runnel::storage
