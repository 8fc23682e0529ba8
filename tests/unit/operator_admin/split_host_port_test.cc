#include <gtest/gtest.h>

#include "operator/admin/socket.h"

namespace runnel::operator_admin {
namespace {

TEST(SplitHostPort, Forms) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(split_host_port("10.0.0.7:9092", host, port));
  EXPECT_EQ(host, "10.0.0.7");
  EXPECT_EQ(port, 9092);
  ASSERT_TRUE(split_host_port("demo-bootstrap.ns.svc:9092", host, port));
  EXPECT_EQ(host, "demo-bootstrap.ns.svc");
  ASSERT_TRUE(split_host_port("[::1]:19092", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 19092);
  EXPECT_FALSE(split_host_port("host", host, port));
  EXPECT_FALSE(split_host_port("host:", host, port));
  EXPECT_FALSE(split_host_port(":9092", host, port));
  EXPECT_FALSE(split_host_port("host:99999", host, port));
  EXPECT_FALSE(split_host_port("host:0", host, port));
  EXPECT_FALSE(split_host_port("host:90a2", host, port));
}

}  // namespace
}  // namespace runnel::operator_admin
