#include "broker/cluster/meta_properties.h"

#include <fcntl.h>

#include <charconv>
#include <span>

#include "broker/config/properties.h"
#include "broker/storage/blocking_files.h"
#include "broker/storage/file_util.h"

namespace runnel::cluster {
namespace {

constexpr const char* kTmpName = "meta.properties.tmp";

std::optional<int64_t> to_int(const std::string& s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

bool valid_cluster_id(const std::string& id) {
  Uuid u;
  return id.size() == 22 && Uuid::from_base64(id, u) && !u.is_zero();
}

std::string encode_meta_properties(const MetaProperties& m) {
  return "#\n#Written by runnel-broker\ncluster.id=" + m.cluster_id + "\ndirectory.id=" + m.directory_id.to_base64() +
         "\nnode.id=" + std::to_string(m.node_id.value()) + "\nversion=" + std::to_string(m.version) + "\n";
}

Result<MetaProperties, std::string> parse_meta_properties(const std::string& text, const std::string& path) {
  auto props = config::parse_properties(text);
  if (!props) return Unexpected("cannot parse " + path + ": " + props.error());
  auto get = [&](const char* key) { return props->get(key); };
  MetaProperties m;
  std::optional<int64_t> version = to_int(get("version").value_or(""));
  if (!version || *version != 1) {
    return Unexpected(path + ": unsupported meta.properties version '" + get("version").value_or("") +
                      "' (Runnel reads version 1, as Kafka's KRaft mode writes)");
  }
  m.cluster_id = get("cluster.id").value_or("");
  if (!valid_cluster_id(m.cluster_id)) return Unexpected(path + ": invalid cluster.id '" + m.cluster_id + "'");
  std::optional<int64_t> node = to_int(get("node.id").value_or(""));
  if (!node || *node < 0 || *node > INT32_MAX) return Unexpected(path + ": invalid node.id");
  m.node_id = NodeId(static_cast<int32_t>(*node));
  // Older Kafka versions wrote no directory.id; Kafka then assigns one, and so do we.
  if (auto dir = get("directory.id")) {
    if (!Uuid::from_base64(*dir, m.directory_id) || m.directory_id.is_zero()) {
      return Unexpected(path + ": invalid directory.id '" + *dir + "'");
    }
  }
  return m;
}

Result<std::optional<MetaProperties>, std::string> read_meta_properties(const std::string& dir) {
  storage::Files& files = storage::BlockingFiles::instance();
  int dir_fd = files.open(AT_FDCWD, dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0).run();
  if (dir_fd == -ENOENT) return std::optional<MetaProperties>();
  if (dir_fd < 0) return Unexpected(storage::error_text(("open " + dir).c_str(), dir_fd));
  std::vector<uint8_t> bytes;
  const bool found = storage::read_whole_file_at(files, dir_fd, kMetaPropertiesName, bytes);
  files.close(dir_fd).run();
  if (!found) return std::optional<MetaProperties>();
  auto parsed = parse_meta_properties(std::string(bytes.begin(), bytes.end()), dir + "/" + kMetaPropertiesName);
  if (!parsed) return Unexpected(parsed.error());
  return std::optional<MetaProperties>(std::move(parsed).value());
}

Result<void, std::string> write_meta_properties(const std::string& dir, const MetaProperties& m) {
  storage::Files& files = storage::BlockingFiles::instance();
  if (int res = storage::make_dirs_synced(files, dir); res < 0) {
    return Unexpected(storage::error_text(("create " + dir).c_str(), res));
  }
  int dir_fd = files.open(AT_FDCWD, dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0).run();
  if (dir_fd < 0) return Unexpected(storage::error_text(("open " + dir).c_str(), dir_fd));
  const std::string text = encode_meta_properties(m);
  auto written = storage::write_file_synced_at(
      files, dir_fd, kTmpName, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  int res = 0;
  if (written) res = files.rename(dir_fd, kTmpName, dir_fd, kMetaPropertiesName).run();
  if (written && res >= 0) res = files.fsync(dir_fd).run();
  files.close(dir_fd).run();
  if (!written) return Unexpected(dir + ": " + written.error());
  if (res < 0) return Unexpected(storage::error_text(("write " + dir + "/meta.properties").c_str(), res));
  return {};
}

Result<std::optional<std::string>, std::string> check_log_dirs(const std::vector<std::string>& dirs, NodeId node) {
  std::optional<std::string> cluster;
  std::string first_path;
  for (const std::string& dir : dirs) {
    auto read = read_meta_properties(dir);
    if (!read) return Unexpected(read.error());
    if (!read->has_value()) continue;
    const MetaProperties& m = **read;
    const std::string path = dir + "/" + kMetaPropertiesName;
    if (cluster && *cluster != m.cluster_id) {
      // Kafka's wording, so operators find it in Kafka's documentation too.
      return Unexpected("Invalid cluster.id in: " + path + ". Expected " + *cluster + ", but read " + m.cluster_id +
                        " (first seen in " + first_path + "): this directory belongs to another cluster");
    }
    if (m.node_id != node) {
      return Unexpected("Stored node id " + std::to_string(m.node_id.value()) + " in " + path +
                        " doesn't match the configured node.id " + std::to_string(node.value()));
    }
    if (!cluster) first_path = path;
    cluster = m.cluster_id;
  }
  return cluster;
}

}  // namespace runnel::cluster
