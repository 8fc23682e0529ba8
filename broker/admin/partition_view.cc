#include "broker/admin/partition_view.h"

#include <algorithm>
#include <tuple>

namespace runnel::admin {

namespace {
bool before(const metrics::PartitionStats* a, const metrics::PartitionStats* b) {
  return std::tie(a->topic, a->partition) < std::tie(b->topic, b->partition);
}
}  // namespace

PartitionView PartitionView::gather(const metrics::BrokerProbe& probe) {
  PartitionView v;
  std::vector<std::pair<const metrics::PartitionStats*, int>> all;
  for (int s = 0; s < probe.shard_count(); ++s) {
    auto snap = probe.shard(s).snapshot();
    if (!snap) continue;
    if (v.oldest_ns == 0 || snap->taken_at_ns < v.oldest_ns) v.oldest_ns = snap->taken_at_ns;
    for (const auto& p : snap->partitions) all.emplace_back(&p, s);
    for (const auto& [topic, t] : snap->topics) {
      metrics::TopicTraffic& sum = v.traffic[topic];
      sum.bytes_in += t.bytes_in;
      sum.records_in += t.records_in;
      sum.bytes_out += t.bytes_out;
    }
    v.snapshots.push_back(std::move(snap));
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return before(a.first, b.first); });
  for (const auto& [p, s] : all) {
    v.partitions.push_back(p);
    v.owner.push_back(s);
  }
  return v;
}

const metrics::PartitionStats* PartitionView::find(const std::string& topic, int32_t partition) const {
  metrics::PartitionStats key;
  key.topic = topic;
  key.partition = partition;
  auto it = std::lower_bound(partitions.begin(), partitions.end(), &key, before);
  if (it == partitions.end() || (*it)->topic != topic || (*it)->partition != partition) return nullptr;
  return *it;
}

std::vector<GroupView> gather_groups(const metrics::BrokerProbe& probe, const PartitionView& partitions) {
  std::vector<GroupView> out;
  for (int s = 0; s < probe.shard_count(); ++s) {
    auto groups = probe.shard(s).groups();
    if (!groups) continue;
    for (const metrics::GroupStats& g : *groups) {
      GroupView gv{groups, &g, {}};
      for (const metrics::GroupOffset& o : g.offsets) {
        const metrics::PartitionStats* p = partitions.find(o.topic, o.partition);
        int64_t hw = p != nullptr ? p->high_watermark : -1;
        int64_t lag = (p != nullptr && o.committed_offset >= 0) ? std::max<int64_t>(0, hw - o.committed_offset) : -1;
        gv.lag.push_back(GroupLag{&o, hw, lag});
      }
      out.push_back(std::move(gv));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const GroupView& a, const GroupView& b) { return a.stats->group_id < b.stats->group_id; });
  return out;
}

}  // namespace runnel::admin
