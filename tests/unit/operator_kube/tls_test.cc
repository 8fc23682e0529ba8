// HTTPS with PEM material held in memory: CA verification, mutual TLS, insecure mode. The
// certificates are made by the openssl CLI for each run.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "operator/kube/http_api.h"

namespace runnel::kube {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kube-tls-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::string d = dir_.string();
    std::ofstream(dir_ / "san.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    std::string script =
        "(cd " + d + " && openssl req -x509" + ec + "-keyout ca.key -out ca.crt -days 1 -subj /CN=ca" +
        " && openssl req -x509" + ec + "-keyout other.key -out other.crt -days 1 -subj /CN=other" +
        " && openssl req" + ec + "-keyout server.key -out server.csr -subj /CN=localhost" +
        " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
        " -out server.crt -days 1 -extfile san.ext" +
        " && openssl req" + ec + "-keyout client.key -out client.csr -subj /CN=runnel" +
        " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
        " -out client.crt -days 1) >/dev/null 2>&1";
    if (std::system(script.c_str()) != 0) GTEST_SKIP() << "openssl CLI failed";
    server_ = std::make_unique<httplib::SSLServer>((dir_ / "server.crt").c_str(),
                                                   (dir_ / "server.key").c_str(),
                                                   (dir_ / "ca.crt").c_str());
    ASSERT_TRUE(server_->is_valid());
    server_->Get("/api/v1/namespaces/ns/pods/p", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"kind":"Pod","metadata":{"name":"p"}})", "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove_all(dir_);
  }
  Config config() const {
    Config c;
    c.server = "https://127.0.0.1:" + std::to_string(port_);
    c.ca_pem = slurp(dir_ / "ca.crt");
    c.client_cert_pem = slurp(dir_ / "client.crt");
    c.client_key_pem = slurp(dir_ / "client.key");
    return c;
  }
  Result get_pod(const Config& c) {
    auto api = HttpApi::create(c, {});
    if (!api) return {0, nullptr, "", api.error()};
    return api.value()->get(types::kPod, "ns", "p");
  }

  std::filesystem::path dir_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(TlsTest, InlineCaAndClientCertificate) {
  Result r = get_pod(config());
  EXPECT_TRUE(r.ok()) << r.status << " " << r.message;
  EXPECT_EQ(r.body["kind"], "Pod");
}

TEST_F(TlsTest, ServerSignedByAnotherCaIsRejected) {
  Config c = config();
  c.ca_pem = slurp(dir_ / "other.crt");
  EXPECT_TRUE(get_pod(c).transport_error());
  c.insecure_skip_tls_verify = true;  // ... unless verification is off
  EXPECT_TRUE(get_pod(c).ok());
}

TEST_F(TlsTest, ServerRequiresTheClientCertificate) {
  Config c = config();
  c.client_cert_pem.clear();
  c.client_key_pem.clear();
  EXPECT_TRUE(get_pod(c).transport_error());
}

TEST_F(TlsTest, BadPemIsReportedAtCreate) {
  Config c = config();
  c.client_key_pem = slurp(dir_ / "other.key");  // does not match the certificate
  auto mismatched = HttpApi::create(c, {});
  ASSERT_FALSE(mismatched.has_value());
  EXPECT_NE(mismatched.error().find("does not match"), std::string::npos) << mismatched.error();
  c = config();
  c.ca_pem = "garbage";
  EXPECT_FALSE(HttpApi::create(c, {}).has_value());
}

}  // namespace
}  // namespace runnel::kube
