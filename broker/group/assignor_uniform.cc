#include "broker/group/assignor_uniform.h"

#include <algorithm>
#include <tuple>

namespace runnel::group {

namespace {

struct Slot {
  Uuid topic;
  int32_t partition;
};

class Builder {
 public:
  explicit Builder(const AssignorInput& in) : in_(in), counts_(in.members.size(), 0) {
    for (const AssignorMember& m : in.members) out_[m.id];
    for (const auto& [topic, n] : in.topics) {
      for (size_t i = 0; i < in.members.size(); ++i)
        if (in.members[i].topics.count(topic) != 0) subscribers_[topic].push_back(i);
    }
  }

  // Previous owners keep what they still subscribe to (the first claim wins on a conflict).
  void keep_previous() {
    for (size_t i = 0; i < in_.members.size(); ++i) {
      const AssignorMember& m = in_.members[i];
      for (const auto& [topic, parts] : m.previous) {
        auto t = in_.topics.find(topic);
        if (t == in_.topics.end() || m.topics.count(topic) == 0) continue;
        for (int32_t p : parts)
          if (p >= 0 && p < t->second && !taken(topic, p)) give(i, topic, p);
      }
    }
  }

  // The rest, the most constrained partitions first, each to its least-loaded subscriber.
  void assign_unowned() {
    std::vector<std::tuple<size_t, Uuid, int32_t>> free;
    for (const auto& [topic, n] : in_.topics) {
      auto s = subscribers_.find(topic);
      if (s == subscribers_.end()) continue;
      for (int32_t p = 0; p < n; ++p)
        if (!taken(topic, p)) free.emplace_back(s->second.size(), topic, p);
    }
    std::sort(free.begin(), free.end());
    for (const auto& [n, topic, p] : free) {
      (void)n;
      give(least_loaded(topic, SIZE_MAX), topic, p);
    }
  }

  // Moves one partition at a time from a member to a subscriber holding at least two fewer,
  // until none can move: counts then differ by at most one wherever subscriptions allow.
  void balance() {
    size_t guard = 1;
    for (const auto& [t, n] : in_.topics) guard += static_cast<size_t>(n) * (in_.members.size() + 1);
    while (guard-- > 0 && move_one()) {
    }
  }

  AssignorOutput take() { return std::move(out_); }

 private:
  bool taken(const Uuid& t, int32_t p) const { return owner_.count({t, p}) != 0; }

  void give(size_t member, const Uuid& t, int32_t p) {
    out_[in_.members[member].id][t].insert(p);
    owner_[{t, p}] = member;
    ++counts_[member];
  }

  size_t least_loaded(const Uuid& topic, size_t except) const {
    size_t best = SIZE_MAX;
    for (size_t i : subscribers_.at(topic)) {
      if (i == except) continue;
      if (best == SIZE_MAX || counts_[i] < counts_[best]) best = i;
    }
    return best;
  }

  bool move_one() {
    std::vector<size_t> donors(in_.members.size());
    for (size_t i = 0; i < donors.size(); ++i) donors[i] = i;
    std::stable_sort(donors.begin(), donors.end(), [this](size_t a, size_t b) { return counts_[a] > counts_[b]; });
    for (size_t d : donors) {
      const Assignment& held = out_[in_.members[d].id];
      // Highest partitions move first, so a member keeps the low end it had.
      for (auto t = held.rbegin(); t != held.rend(); ++t) {
        for (auto p = t->second.rbegin(); p != t->second.rend(); ++p) {
          size_t to = least_loaded(t->first, d);
          if (to == SIZE_MAX || counts_[to] + 1 >= counts_[d]) continue;
          Uuid topic = t->first;
          int32_t partition = *p;
          Assignment& from = out_[in_.members[d].id];
          from[topic].erase(partition);
          if (from[topic].empty()) from.erase(topic);
          --counts_[d];
          give(to, topic, partition);
          return true;
        }
      }
    }
    return false;
  }

  const AssignorInput& in_;
  AssignorOutput out_;
  std::vector<size_t> counts_;
  std::map<Uuid, std::vector<size_t>> subscribers_;
  std::map<std::pair<Uuid, int32_t>, size_t> owner_;
};

}  // namespace

AssignorOutput UniformAssignor::assign(const AssignorInput& in) const {
  Builder b(in);
  b.keep_previous();
  b.assign_unowned();
  b.balance();
  return b.take();
}

}  // namespace runnel::group
