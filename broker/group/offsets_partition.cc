#include "broker/group/offsets_partition.h"

namespace runnel::group {

int32_t java_string_hash(std::string_view s) {
  uint32_t h = 0;
  auto add = [&h](uint32_t unit) { h = h * 31 + unit; };
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<uint8_t>(s[i]);
    uint32_t cp;
    size_t len;
    if (b < 0x80) {
      cp = b;
      len = 1;
    } else if ((b >> 5) == 0x6 && i + 1 < s.size()) {
      cp = ((b & 0x1fu) << 6) | (static_cast<uint8_t>(s[i + 1]) & 0x3fu);
      len = 2;
    } else if ((b >> 4) == 0xe && i + 2 < s.size()) {
      cp = ((b & 0x0fu) << 12) | ((static_cast<uint8_t>(s[i + 1]) & 0x3fu) << 6) |
           (static_cast<uint8_t>(s[i + 2]) & 0x3fu);
      len = 3;
    } else if ((b >> 3) == 0x1e && i + 3 < s.size()) {
      cp = ((b & 0x07u) << 18) | ((static_cast<uint8_t>(s[i + 1]) & 0x3fu) << 12) |
           ((static_cast<uint8_t>(s[i + 2]) & 0x3fu) << 6) | (static_cast<uint8_t>(s[i + 3]) & 0x3fu);
      len = 4;
    } else {
      // Invalid UTF-8: Java would have decoded it to U+FFFD.
      cp = 0xfffd;
      len = 1;
    }
    if (cp >= 0x10000) {
      // Outside the BMP Java stores a surrogate pair: two code units.
      cp -= 0x10000;
      add(0xd800 + (cp >> 10));
      add(0xdc00 + (cp & 0x3ff));
    } else {
      add(cp);
    }
    i += len;
  }
  return static_cast<int32_t>(h);
}

}  // namespace runnel::group
