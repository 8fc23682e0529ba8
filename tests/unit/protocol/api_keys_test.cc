#include <gtest/gtest.h>

#include <string>

#include "broker/protocol/generated/api_keys.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/produce_request.h"

namespace runnel::protocol {
namespace {

TEST(ApiKeys, TableIsSortedAndMatchesMessageTypes) {
  auto all = all_api_keys();
  ASSERT_GT(all.size(), 70u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].api_key, all[i].api_key);
  const ApiKeyInfo* produce = find_api_key(ProduceRequest::kApiKey);
  ASSERT_NE(produce, nullptr);
  EXPECT_EQ(std::string(produce->name), "Produce");
  EXPECT_EQ(produce->min_version, ProduceRequest::kMinVersion);
  EXPECT_EQ(produce->max_version, ProduceRequest::kMaxVersion);
  EXPECT_EQ(produce->first_flexible_version, ProduceRequest::kFirstFlexibleVersion);
  EXPECT_TRUE(produce->broker_listener);
  EXPECT_EQ(static_cast<int16_t>(ApiKey::kFetch), FetchRequest::kApiKey);
  EXPECT_EQ(find_api_key(-5), nullptr);
  EXPECT_EQ(find_api_key(32000), nullptr);
}

TEST(ApiKeys, HeaderVersions) {
  const int16_t produce = static_cast<int16_t>(ApiKey::kProduce);
  EXPECT_EQ(request_header_version(produce, 8), 1);
  EXPECT_EQ(request_header_version(produce, 9), 2);
  EXPECT_EQ(response_header_version(produce, 8), 0);
  EXPECT_EQ(response_header_version(produce, 9), 1);

  // ApiVersions responses are always header v0 so that any client can parse them.
  const int16_t api_versions = static_cast<int16_t>(ApiKey::kApiVersions);
  EXPECT_EQ(request_header_version(api_versions, 3), 2);
  EXPECT_EQ(response_header_version(api_versions, 3), 0);
  EXPECT_EQ(request_header_version(api_versions, 2), 1);

  const int16_t shutdown = static_cast<int16_t>(ApiKey::kControlledShutdown);
  EXPECT_EQ(request_header_version(shutdown, 0), 0);
  EXPECT_EQ(request_header_version(shutdown, 1), 1);

  EXPECT_EQ(request_header_version(-1, 0), -1);
  EXPECT_EQ(response_header_version(-1, 0), -1);
}

}  // namespace
}  // namespace runnel::protocol
