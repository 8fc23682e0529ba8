#include "broker/group/consumer_protocol.h"

namespace runnel::group {

std::vector<std::string> subscription_topics(const std::vector<uint8_t>& md) {
  std::vector<std::string> out;
  size_t pos = 0;
  auto be = [&md, &pos](size_t n, int64_t& v) {
    if (md.size() - pos < n) return false;
    v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | md[pos++];
    return true;
  };
  int64_t version = 0;
  int64_t count = 0;
  if (md.size() < 6 || !be(2, version) || !be(4, count)) return {};
  if (static_cast<int32_t>(count) < 0 || count > static_cast<int64_t>(md.size())) return {};
  for (int64_t i = 0; i < count; ++i) {
    int64_t len = 0;
    if (!be(2, len) || md.size() - pos < static_cast<size_t>(len)) return {};
    out.emplace_back(reinterpret_cast<const char*>(md.data() + pos), static_cast<size_t>(len));
    pos += static_cast<size_t>(len);
  }
  return out;
}

}  // namespace runnel::group
