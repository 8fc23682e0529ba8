#include "broker/raft/quorum_state_file.h"

#include <fcntl.h>

#include <cerrno>
#include <limits>
#include <nlohmann/json.hpp>

#include "broker/model/uuid.h"
#include "broker/storage/file_util.h"

namespace runnel::raft {
namespace {

using nlohmann::json;

Unexpected<QuorumStateFileError> damaged(std::string what) {
  return Unexpected(QuorumStateFileError{QuorumStateFileError::Kind::damaged, std::string(kQuorumStateFileName) + ": " + what});
}

Unexpected<QuorumStateFileError> io_error(const char* step, int neg_errno) {
  return Unexpected(QuorumStateFileError{QuorumStateFileError::Kind::io, storage::error_text(step, neg_errno)});
}

// An int32 field that Kafka's JSON converter requires in every version.
Result<int32_t, QuorumStateFileError> int32_field(const json& doc, const char* name, int64_t min) {
  auto it = doc.find(name);
  if (it == doc.end()) return damaged(std::string(name) + " is missing");
  if (!it->is_number_integer()) return damaged(std::string(name) + " is not an integer");
  int64_t v = it->get<int64_t>();
  if (v < min || v > std::numeric_limits<int32_t>::max()) return damaged(std::string(name) + " is out of range");
  return static_cast<int32_t>(v);
}

}  // namespace

std::string encode_quorum_state(const QuorumStateData& state) {
  // Field order as Kafka's QuorumStateDataJsonConverter writes them, data_version last (an
  // ordered_json keeps insertion order; json would sort the keys).
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  doc["leaderId"] = state.leader_id.value();
  doc["leaderEpoch"] = state.epoch.value();
  doc["votedId"] = state.voted_for.value();
  doc["votedDirectoryId"] = Uuid{}.to_base64();
  doc["data_version"] = kQuorumStateDataVersion;
  return doc.dump();
}

Result<QuorumStateData, QuorumStateFileError> decode_quorum_state(std::string_view text) {
  // Kafka reads the first line only.
  text = text.substr(0, text.find('\n'));
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return damaged("not a JSON object");
  Result<int32_t, QuorumStateFileError> version = int32_field(doc, "data_version", 0);
  if (!version) return Unexpected(version.error());
  if (*version > kQuorumStateDataVersion) return damaged(std::string("data_version ").append(std::to_string(*version)).append(" is newer than 1"));
  Result<int32_t, QuorumStateFileError> leader = int32_field(doc, "leaderId", -1);
  if (!leader) return Unexpected(leader.error());
  Result<int32_t, QuorumStateFileError> epoch = int32_field(doc, "leaderEpoch", 0);
  if (!epoch) return Unexpected(epoch.error());
  Result<int32_t, QuorumStateFileError> voted = int32_field(doc, "votedId", -1);
  if (!voted) return Unexpected(voted.error());
  if (*version >= 1) {
    auto dir = doc.find("votedDirectoryId");
    Uuid ignored;
    if (dir == doc.end() || !dir->is_string() || !Uuid::from_base64(dir->get<std::string>(), ignored)) {
      return damaged("votedDirectoryId is missing or not a Uuid");
    }
  }
  return QuorumStateData{LeaderEpoch{*epoch}, NodeId{*voted}, NodeId{*leader}};
}

Result<std::optional<QuorumStateData>, QuorumStateFileError> read_quorum_state(storage::Files& files, int dir_fd) {
  const int fd = files.open(dir_fd, kQuorumStateFileName, O_RDONLY | O_CLOEXEC).run();
  if (fd == -ENOENT) return std::optional<QuorumStateData>{};
  if (fd < 0) return io_error("open quorum-state", fd);
  struct stat st {};
  int res = files.fstat(fd, &st).run();
  std::string text;
  if (res == 0) {
    text.resize(size_t(st.st_size));
    int64_t n = storage::pread_full(files, fd, reinterpret_cast<uint8_t*>(text.data()), text.size(), 0);
    res = n < 0 ? int(n) : (n == int64_t(text.size()) ? 0 : -EIO);
  }
  files.close(fd).run();
  if (res < 0) return io_error("read quorum-state", res);
  Result<QuorumStateData, QuorumStateFileError> state = decode_quorum_state(text);
  if (!state) return Unexpected(state.error());
  return std::optional<QuorumStateData>{*state};
}

Result<void, QuorumStateFileError> write_quorum_state(storage::Files& files, int dir_fd, const QuorumStateData& state) {
  RUNNEL_ASSERT(state.epoch.value() >= 0, "quorum state with epoch %d", state.epoch.value());
  const std::string text = encode_quorum_state(state);
  // Written and fdatasync'd under the temporary name first: the rename then swaps in complete bytes.
  auto written = storage::write_file_synced_at(
      files, dir_fd, kQuorumStateTmpFileName, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  if (!written) return Unexpected(QuorumStateFileError{QuorumStateFileError::Kind::io, written.error()});
  int res = files.rename(dir_fd, kQuorumStateTmpFileName, dir_fd, kQuorumStateFileName).run();
  if (res < 0) return io_error("rename quorum-state.tmp", res);
  // The rename lives in the directory: only its fsync makes the new state durable.
  res = files.fsync(dir_fd).run();
  if (res < 0) return io_error("fsync quorum-state directory", res);
  return {};
}

}  // namespace runnel::raft
