// Writes every sample message (the same ones the round-trip test uses) as
// <dir>/<Name>_v<version>.hex, one lowercase hex line each. Input for the Java cross-check
// (java/regen_golden.sh); not part of the test run.

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/unit/protocol/message_case.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output-dir>\n", argv[0]);
    return 2;
  }
  size_t written = 0;
  for (const auto& c : runnel::protocol::test::all_message_cases()) {
    for (int16_t v = c.min_version; v <= c.max_version; ++v) {
      std::ofstream out(std::string(argv[1]) + "/" + c.name + "_v" + std::to_string(v) + ".hex");
      static const char* kHex = "0123456789abcdef";
      for (uint8_t b : c.sample(v)) out << kHex[b >> 4] << kHex[b & 15];
      out << '\n';
      ++written;
    }
  }
  std::printf("wrote %zu samples\n", written);
  return 0;
}
