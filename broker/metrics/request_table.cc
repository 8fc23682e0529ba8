#include "broker/metrics/request_table.h"

namespace runnel::metrics {

namespace {
constexpr uint64_t kUsed = uint64_t{1} << 63;

uint64_t pack(int16_t api_key, int16_t api_version, int16_t error_code) {
  return kUsed | (uint64_t{static_cast<uint16_t>(api_key)} << 32) |
         (uint64_t{static_cast<uint16_t>(api_version)} << 16) | uint64_t{static_cast<uint16_t>(error_code)};
}
}  // namespace

void RequestTable::add(int16_t api_key, int16_t api_version, int16_t error_code) {
  const uint64_t key = pack(api_key, api_version, error_code);
  size_t i = static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 54) % kCapacity;
  for (size_t probes = 0; probes < kCapacity; ++probes, i = (i + 1) % kCapacity) {
    uint64_t k = slots_[i].key.load(std::memory_order_relaxed);  // only this thread writes keys
    if (k == key) {
      slots_[i].count.add();
      return;
    }
    if (k == 0) {
      slots_[i].count.add();
      slots_[i].key.store(key, std::memory_order_release);  // count first: a reader never sees 0
      return;
    }
  }
  overflow_.add();
}

std::vector<RequestTable::Row> RequestTable::read() const {
  std::vector<Row> rows;
  for (const Slot& s : slots_) {
    uint64_t k = s.key.load(std::memory_order_acquire);
    if (k == 0) continue;
    rows.push_back(Row{static_cast<int16_t>(k >> 32), static_cast<int16_t>(k >> 16), static_cast<int16_t>(k),
                       s.count.value()});
  }
  return rows;
}

}  // namespace runnel::metrics
