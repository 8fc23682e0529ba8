#pragma once

// A toy replicated state machine for the simulation, standing in for the controller's until
// that one runs here: a map of keys to values, built from the committed records ("key=value";
// other records, such as LeaderChange, change nothing). Each node applies what its commit
// notices say is committed; the checker compares the state's fingerprint after every offset
// across all nodes (state-machine safety, literally: equal prefixes give equal states). It can be
// written as a snapshot and loaded from one, as the controller's image is.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "broker/model/assert.h"

#include "broker/raft/log.h"

namespace runnel::raft::sim {

class SimStateMachine {
 public:
  // Applies the records of `log` from the applied offset up to `high_watermark`, calling
  // `after(offset, fingerprint)` after each.
  template <typename After>
  void apply_until(const RaftLog& log, Offset high_watermark, After&& after) {
    for (; applied_ < high_watermark.value(); ++applied_) {
      const Entry& e = log.at(Offset{applied_});
      if (e.type == EntryType::data) {
        auto eq = e.payload.find('=');
        if (eq != std::string::npos) set(e.payload.substr(0, eq), e.payload.substr(eq + 1));
      }
      after(Offset{applied_}, fingerprint_);
    }
  }

  void reset() {
    state_.clear();
    applied_ = 0;
    fingerprint_ = 0;
  }

  int64_t applied() const { return applied_; }
  uint64_t fingerprint() const { return fingerprint_; }

  // The state as snapshot bytes: a header line with the end offset, then "key=value\n" per key,
  // in key order (never empty: the core refuses empty snapshots).
  std::vector<uint8_t> snapshot() const {
    std::string out = "#" + std::to_string(applied_) + "\n";
    for (const auto& [k, v] : state_) out += k + "=" + v + "\n";
    return {out.begin(), out.end()};
  }

  // Replaces the state with a snapshot's, which covers every record below `end_offset`.
  void load(const std::vector<uint8_t>& bytes, Offset end_offset) {
    reset();
    std::string text(bytes.begin(), bytes.end());
    // The header line is informational: a snapshot that claims another offset than it holds is
    // for the checker to catch (its state differs from the others' after that offset).
    RUNNEL_ASSERT(text.starts_with("#"), "a sim snapshot without its header");
    for (size_t pos = text.find('\n') + 1; pos < text.size();) {
      size_t nl = text.find('\n', pos);
      size_t eq = text.find('=', pos);
      RUNNEL_ASSERT(nl != std::string::npos && eq < nl, "a damaged sim snapshot at byte %zu", pos);
      set(text.substr(pos, eq - pos), text.substr(eq + 1, nl - eq - 1));
      pos = nl + 1;
    }
    applied_ = end_offset.value();
  }

 private:
  // The fingerprint is the XOR of the hashes of the (key, value) pairs: kept up to date per write.
  static uint64_t pair_hash(const std::string& k, const std::string& v) {
    return std::hash<std::string>{}(k) * 0x9e3779b97f4a7c15ULL ^ std::hash<std::string>{}(v);
  }
  void set(const std::string& k, std::string v) {
    auto [it, inserted] = state_.try_emplace(k);
    if (!inserted) fingerprint_ ^= pair_hash(k, it->second);
    it->second = std::move(v);
    fingerprint_ ^= pair_hash(k, it->second);
  }

  std::map<std::string, std::string> state_;
  int64_t applied_ = 0;
  uint64_t fingerprint_ = 0;
};

}  // namespace runnel::raft::sim
