#pragma once

// A toy replicated state machine for the simulation, standing in for the controller's until
// that one runs here: a map of keys to values, built from the committed records ("key=value";
// other records, such as LeaderChange, change nothing). Each node applies what its commit
// notices say is committed; the checker compares the state's fingerprint after every offset
// across all nodes (state-machine safety, literally: equal prefixes give equal states).

#include <cstdint>
#include <functional>
#include <map>
#include <string>

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
