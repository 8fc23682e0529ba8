// Cross-check against a second implementation: the golden files are the bytes Apache Kafka's own
// generated Java codecs (kafka-clients) produced after decoding our sample messages. They are
// committed; java/regen_golden.sh recreates them. Agreement means Kafka parsed every byte we
// wrote the way we meant it and wrote back exactly the same bytes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/protocol/message_case.h"

namespace runnel::protocol::test {
namespace {

namespace fs = std::filesystem;

struct Golden {
  std::string name;
  int16_t version;
  std::vector<uint8_t> bytes;
};

bool parse_hex(const std::string& text, std::vector<uint8_t>& out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return true;
}

std::vector<Golden> load_goldens() {
  std::vector<Golden> out;
  for (const auto& entry : fs::directory_iterator(RUNNEL_PROTOCOL_GOLDEN_DIR)) {
    if (entry.path().extension() != ".hex") continue;
    const std::string stem = entry.path().stem().string();  // Name_vN
    const size_t at = stem.rfind("_v");
    if (at == std::string::npos) continue;
    Golden g;
    g.name = stem.substr(0, at);
    g.version = static_cast<int16_t>(std::stoi(stem.substr(at + 2)));
    std::ifstream in(entry.path());
    std::string line;
    std::getline(in, line);
    EXPECT_TRUE(parse_hex(line, g.bytes)) << entry.path();
    out.push_back(std::move(g));
  }
  return out;
}

const MessageCase* find_case(const std::string& name) {
  for (const auto& c : all_message_cases()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(Golden, KafkaJavaBytesMatchOursExactly) {
  const std::vector<Golden> goldens = load_goldens();
  ASSERT_GT(goldens.size(), 500u) << "golden files missing; run java/regen_golden.sh";
  for (const Golden& g : goldens) {
    SCOPED_TRACE(g.name + " v" + std::to_string(g.version));
    const MessageCase* c = find_case(g.name);
    ASSERT_NE(c, nullptr);
    // Kafka re-encoded our sample to exactly our bytes.
    EXPECT_EQ(c->sample(g.version), g.bytes);
    // And we decode Kafka's bytes completely and write them back unchanged.
    std::vector<uint8_t> again;
    ASSERT_TRUE(c->reencode(g.bytes, g.version, again));
    EXPECT_EQ(again, g.bytes);
  }
}

TEST(Golden, CoversTheApisTheBrokerServes) {
  std::set<std::string> covered;
  for (const Golden& g : load_goldens()) covered.insert(g.name);
  const char* required[] = {
      "ApiVersions", "Metadata", "Produce", "Fetch", "ListOffsets", "CreateTopics", "DeleteTopics",
      "CreatePartitions", "DescribeConfigs", "AlterConfigs", "IncrementalAlterConfigs",
      "DescribeCluster", "InitProducerId", "FindCoordinator", "JoinGroup", "SyncGroup",
      "Heartbeat", "LeaveGroup", "OffsetCommit", "OffsetFetch"};
  for (const char* api : required) {
    EXPECT_TRUE(covered.count(std::string(api) + "Request")) << api;
    EXPECT_TRUE(covered.count(std::string(api) + "Response")) << api;
  }
  EXPECT_TRUE(covered.count("RequestHeader"));
  EXPECT_TRUE(covered.count("ResponseHeader"));
}

}  // namespace
}  // namespace runnel::protocol::test
