#include "broker/cluster/bootstrap_voters.h"

#include <fcntl.h>

#include <span>
#include <sstream>

#include "broker/storage/blocking_files.h"
#include "broker/storage/file_util.h"

namespace runnel::cluster {
namespace {

constexpr const char* kTmpName = "bootstrap-voters.tmp";

std::string folder_of(const std::string& metadata_dir) { return metadata_dir + "/__cluster_metadata"; }

}  // namespace

Result<std::optional<std::vector<config::QuorumVoter>>, std::string> read_bootstrap_voters(
    const std::string& metadata_dir) {
  using Voters = std::optional<std::vector<config::QuorumVoter>>;
  storage::Files& files = storage::BlockingFiles::instance();
  const std::string dir = folder_of(metadata_dir);
  int dir_fd = files.open(AT_FDCWD, dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0).run();
  if (dir_fd == -ENOENT) return Voters();
  if (dir_fd < 0) return Unexpected(storage::error_text(("open " + dir).c_str(), dir_fd));
  std::vector<uint8_t> bytes;
  const bool found = storage::read_whole_file_at(files, dir_fd, kBootstrapVotersName, bytes);
  files.close(dir_fd).run();
  if (!found) return Voters();
  std::vector<std::string> lines;
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  const std::string path = dir + "/" + kBootstrapVotersName;
  if (lines.empty()) return Unexpected(path + " names no voter");
  auto voters = config::parse_quorum_voters(lines, config::VoterSyntax::initial_controllers);
  if (!voters) return Unexpected(voters.error() + " in " + path);
  return Voters(std::move(voters).value());
}

Result<void, std::string> write_bootstrap_voters(const std::string& metadata_dir,
                                                 const std::vector<config::QuorumVoter>& voters) {
  std::string text;
  for (const config::QuorumVoter& v : voters) text += config::to_string(v) + "\n";
  storage::Files& files = storage::BlockingFiles::instance();
  const std::string dir = folder_of(metadata_dir);
  if (int res = storage::make_dirs_synced(files, dir); res < 0) {
    return Unexpected(storage::error_text(("create " + dir).c_str(), res));
  }
  int fd = files.open(AT_FDCWD, dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0).run();
  if (fd < 0) return Unexpected(storage::error_text(("open " + dir).c_str(), fd));
  auto written = storage::write_file_synced_at(
      files, fd, kTmpName, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  int res = 0;
  if (written) res = files.rename(fd, kTmpName, fd, kBootstrapVotersName).run();
  if (written && res == 0) res = files.fsync(fd).run();
  files.close(fd).run();
  if (!written) return Unexpected(written.error());
  if (res < 0) return Unexpected(storage::error_text(("rename and fsync in " + dir).c_str(), res));
  return {};
}

}  // namespace runnel::cluster
