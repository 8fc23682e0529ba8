#include "broker/cluster/partition_metadata.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

namespace runnel::cluster {

bool write_partition_metadata(const std::string& dir, const Uuid& topic_id, bool sync) {
  Uuid existing;
  if (read_partition_metadata(dir, existing) && existing == topic_id) return true;
  std::string content = "version: 0\ntopic_id: " + topic_id.to_base64() + "\n";
  std::string tmp = dir + "/partition.metadata.tmp";
  int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            (!sync || ::fdatasync(fd) == 0);
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), (dir + "/partition.metadata").c_str()) != 0) return false;
  if (!sync) return true;
  // The rename is durable only once the directory is synced.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return false;
  bool synced = ::fsync(dfd) == 0;
  ::close(dfd);
  return synced;
}

bool read_partition_metadata(const std::string& dir, Uuid& topic_id) {
  std::ifstream in(dir + "/partition.metadata");
  std::string line;
  while (std::getline(in, line)) {
    const std::string prefix = "topic_id: ";
    if (line.rfind(prefix, 0) == 0) return Uuid::from_base64(line.substr(prefix.size()), topic_id);
  }
  return false;
}

}  // namespace runnel::cluster
