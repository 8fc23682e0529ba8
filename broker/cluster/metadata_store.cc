#include "broker/cluster/metadata_store.h"

#include "broker/cluster/meta_properties.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace runnel::cluster {

namespace {

using nlohmann::json;

std::string serialize(const MetadataImage& image, int64_t producer_id_block_end) {
  json doc;
  doc["version"] = 1;
  doc["cluster_id"] = image.cluster_id;
  doc["producer_id_block_end"] = producer_id_block_end;
  json topics = json::array();
  for (const auto& [name, t] : image.topics) {
    json jt;
    jt["name"] = name;
    jt["id"] = t->id.to_base64();
    jt["internal"] = t->internal;
    json overrides = json::object();
    for (const auto& [k, v] : t->overrides) overrides[k] = v;
    jt["configs"] = overrides;
    json parts = json::array();
    for (const PartitionInfo& p : t->partitions) {
      parts.push_back({{"partition", p.partition},
                       {"leader", p.leader.value()},
                       {"leader_epoch", p.leader_epoch.value()},
                       {"replicas", values_of(p.replicas)},
                       {"isr", values_of(p.isr)}});
    }
    jt["partitions"] = parts;
    topics.push_back(jt);
  }
  doc["topics"] = topics;
  return doc.dump(1);
}

using Status = Result<void, std::string>;

Status parse_document(const json& doc, MetadataImage& image, int64_t& producer_id_block_end) {
  if (int version = doc.value("version", 1); version != 1) {
    return Unexpected("metadata document has version " + std::to_string(version) + ", this broker reads version 1");
  }
  image.cluster_id = doc.value("cluster_id", "");
  producer_id_block_end = doc.value("producer_id_block_end", int64_t{0});
  for (const json& jt : doc.value("topics", json::array())) {
    auto t = std::make_shared<TopicInfo>();
    t->name = jt.value("name", "");
    if (!Uuid::from_base64(jt.value("id", ""), t->id)) {
      return Unexpected("bad topic id for topic " + t->name);
    }
    t->internal = jt.value("internal", false);
    // Bound to a local: iterating items() of the temporary value() returns would dangle.
    const json configs = jt.value("configs", json::object());
    for (const auto& [k, v] : configs.items()) t->overrides[k] = v.get<std::string>();
    for (const json& jp : jt.value("partitions", json::array())) {
      PartitionInfo p;
      p.partition = jp.value("partition", 0);
      p.leader = NodeId(jp.value("leader", -1));
      p.leader_epoch = LeaderEpoch(jp.value("leader_epoch", 0));
      p.replicas = wrap_all<NodeId>(jp.value("replicas", std::vector<int32_t>{}));
      p.isr = wrap_all<NodeId>(jp.value("isr", std::vector<int32_t>{}));
      t->partitions.push_back(std::move(p));
    }
    image.name_by_id[t->id.to_base64()] = t->name;
    image.topics[t->name] = std::move(t);
  }
  return {};
}

Status parse(const std::string& text, MetadataImage& image, int64_t& producer_id_block_end) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Unexpected("metadata document is not valid JSON");
  }
  // nlohmann's accessors throw on a field of the wrong type: a damaged document is an error
  // the broker reports at start-up, never a crash.
  try {
    return parse_document(doc, image, producer_id_block_end);
  } catch (const json::exception& e) {
    return Unexpected(std::string("metadata document is malformed: ") + e.what());
  }
}

Status write_file_durably(const std::string& dir, const std::string& name, const std::string& content) {
  std::string tmp = dir + "/" + name + ".tmp";
  int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Unexpected("open " + tmp + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0) {
    return Unexpected("write " + tmp + ": " + std::strerror(errno));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace

Status MetadataStore::load(const config::BrokerConfig& config, MetadataImage& image,
                           int64_t& producer_id_block_end) {
  // Identity first (meta_properties.h): every formatted directory names one cluster and this
  // node, before anything in them is read.
  const std::vector<std::string> dirs = config.storage_dirs();
  Result<std::optional<std::string>, std::string> formatted = check_log_dirs(dirs, config.node_id);
  if (!formatted) return Unexpected(formatted.error());
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return Unexpected("cannot create " + dir_ + ": " + ec.message());
  }
  std::ifstream in(dir_ + "/metadata.json");
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    if (Status parsed = parse(ss.str(), image, producer_id_block_end); !parsed) return parsed;
    if (formatted->has_value() && **formatted != image.cluster_id) {
      return Unexpected("The cluster.id in meta.properties (" + **formatted + ") does not match the cluster metadata (" +
                        image.cluster_id + ") in " + dir_);
    }
  } else {
    if (formatted->has_value()) {
      image.cluster_id = **formatted;  // formatted by `runnel-broker format`
    } else if (!config.controller_quorum_voters.empty() || !config.controller_quorum_bootstrap_servers.empty()) {
      // One node of a quorum must not invent a cluster of its own (Kafka refuses the same).
      return Unexpected("No meta.properties found in " + dirs.front() +
                        ": a node of a controller quorum must be formatted first with runnel-broker format -t "
                        "<cluster id> -c <config> (kafka-storage format)");
    } else {
      image.cluster_id = Uuid::random().to_base64();  // a lone node formats itself (the quick start)
    }
    producer_id_block_end = 0;
    if (Status saved = save_blocking(image, producer_id_block_end); !saved) return saved;
  }
  // Directories not formatted yet (new, or the quick start's) join this cluster.
  for (const std::string& dir : dirs) {
    auto meta = read_meta_properties(dir);
    if (!meta) return Unexpected(meta.error());
    if (meta->has_value()) continue;
    if (auto written = write_meta_properties(dir, MetaProperties{1, image.cluster_id, config.node_id, Uuid::random()});
        !written) {
      return written;
    }
  }
  refresh_effective_configs(config, image);
  return {};
}

Status MetadataStore::save_blocking(const MetadataImage& image, int64_t producer_id_block_end) {
  return write_file_durably(dir_, "metadata.json", serialize(image, producer_id_block_end));
}

io::Task<Result<void, Errc>> MetadataStore::save(io::Ring& ring, const MetadataImage& image,
                                                 int64_t producer_id_block_end) {
  std::string content = serialize(image, producer_id_block_end);
  std::string tmp = dir_ + "/metadata.json.tmp";
  std::string dst = dir_ + "/metadata.json";
  int fd = co_await ring.openat(AT_FDCWD, tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) co_return Unexpected(Errc::persist_failed);
  size_t done = 0;
  bool ok = true;
  while (done < content.size()) {
    int n = co_await ring.write(fd, content.data() + done, static_cast<uint32_t>(content.size() - done), done);
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (ok) ok = (co_await ring.fsync(fd, true)) == 0;
  co_await ring.close(fd);
  if (!ok) co_return Unexpected(Errc::persist_failed);
  if ((co_await ring.renameat(AT_FDCWD, tmp.c_str(), AT_FDCWD, dst.c_str())) != 0) {
    co_return Unexpected(Errc::persist_failed);
  }
  int dfd = co_await ring.openat(AT_FDCWD, dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd >= 0) {
    co_await ring.fsync(dfd, false);
    co_await ring.close(dfd);
  }
  co_return Result<void, Errc>{};
}

void refresh_effective_configs(const config::BrokerConfig& config, MetadataImage& image) {
  for (auto& [name, t] : image.topics) {
    auto copy = std::make_shared<TopicInfo>(*t);
    auto effective = config::topic_config_for(config, copy->overrides);
    if (effective.has_value()) copy->effective = effective.value();
    t = std::move(copy);
  }
}

}  // namespace runnel::cluster
