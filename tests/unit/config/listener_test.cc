#include "broker/config/listener.h"

#include <gtest/gtest.h>

namespace runnel::config {
namespace {

TEST(Listener, ParsesNameHostPort) {
  Result<Endpoint> e = parse_endpoint("PLAINTEXT://broker1.example.com:9092");
  ASSERT_TRUE(e.has_value()) << e.error();
  EXPECT_EQ(e.value().name, "PLAINTEXT");
  EXPECT_EQ(e.value().host, "broker1.example.com");
  EXPECT_EQ(e.value().port, 9092);
}

TEST(Listener, EmptyHostMeansAllInterfaces) {
  Result<Endpoint> e = parse_endpoint("PLAINTEXT://:9092");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e.value().host, "");
  EXPECT_EQ(endpoint_string(e.value()), "PLAINTEXT://:9092");
}

TEST(Listener, Ipv6InBrackets) {
  Result<Endpoint> e = parse_endpoint("CLIENT://[::1]:9093");
  ASSERT_TRUE(e.has_value()) << e.error();
  EXPECT_EQ(e.value().name, "CLIENT");
  EXPECT_EQ(e.value().host, "::1");
  EXPECT_EQ(e.value().port, 9093);
  EXPECT_EQ(endpoint_string(e.value()), "CLIENT://[::1]:9093");
}

TEST(Listener, NameIsUpperCased) {
  Result<Endpoint> e = parse_endpoint("plaintext://localhost:9092");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e.value().name, "PLAINTEXT");
}

TEST(Listener, RejectsMalformed) {
  EXPECT_FALSE(parse_endpoint("localhost:9092").has_value());
  EXPECT_FALSE(parse_endpoint("PLAINTEXT://localhost").has_value());
  EXPECT_FALSE(parse_endpoint("PLAINTEXT://localhost:abc").has_value());
  EXPECT_FALSE(parse_endpoint("PLAINTEXT://local host:9092").has_value());
  EXPECT_FALSE(parse_endpoint("://x:1").has_value());
  Result<Endpoint> big = parse_endpoint("PLAINTEXT://x:70000");
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().find("65535"), std::string::npos);
  EXPECT_EQ(parse_endpoint("nope").error(), "Unable to parse nope to a broker endpoint");
}

TEST(Listener, SecurityProtocolMap) {
  auto m = parse_security_protocol_map("internal:PLAINTEXT, EXTERNAL:SASL_SSL");
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m.value().at("INTERNAL"), SecurityProtocol::plaintext);
  EXPECT_EQ(m.value().at("EXTERNAL"), SecurityProtocol::sasl_ssl);
  EXPECT_FALSE(parse_security_protocol_map("A:NOPE").has_value());
  EXPECT_FALSE(parse_security_protocol_map("A:PLAINTEXT,A:SSL").has_value());
}

TEST(Listener, ListResolvesProtocolsAndRejectsDuplicates) {
  std::map<std::string, SecurityProtocol> protocols{{"PLAINTEXT", SecurityProtocol::plaintext},
                                                    {"CONTROLLER", SecurityProtocol::plaintext}};
  auto ok = parse_listener_list("listeners", {"PLAINTEXT://:9092", "CONTROLLER://:9093"}, protocols, true);
  ASSERT_TRUE(ok.has_value()) << ok.error();
  EXPECT_EQ(ok.value().size(), 2u);

  auto unknown = parse_listener_list("listeners", {"CLIENT://:9092"}, protocols, true);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().find("No security protocol defined for listener CLIENT"), std::string::npos);

  auto same_name = parse_listener_list("listeners", {"PLAINTEXT://:9092", "PLAINTEXT://:9093"}, protocols, true);
  ASSERT_FALSE(same_name.has_value());
  EXPECT_NE(same_name.error().find("different name"), std::string::npos);

  auto same_port = parse_listener_list("listeners", {"PLAINTEXT://:9092", "CONTROLLER://:9092"}, protocols, true);
  ASSERT_FALSE(same_port.has_value());
  EXPECT_NE(same_port.error().find("different port"), std::string::npos);

  // IPv4 and IPv6 may share a port; advertised listeners may share ports freely.
  EXPECT_TRUE(parse_listener_list("listeners", {"PLAINTEXT://127.0.0.1:9092", "CONTROLLER://[::1]:9092"},
                                  protocols, true).has_value());
  EXPECT_TRUE(parse_listener_list("advertised.listeners", {"PLAINTEXT://a:9092", "CONTROLLER://a:9092"},
                                  protocols, false).has_value());
}

}  // namespace
}  // namespace runnel::config
