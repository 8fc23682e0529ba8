#include "operator/kube/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "operator/kube/api.h"
#include "operator/kube/base64.h"
#include "operator/kube/token_source.h"

namespace runnel::kube {
namespace {

std::string b64(const std::string& in) { return base64_encode(in); }

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/kubecfg-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name) << content;
    return (path / name).string();
  }
};

const std::string kCa = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
const std::string kCert = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN RSA PRIVATE KEY-----\nKEY\n-----END RSA PRIVATE KEY-----\n";

// What `kind create cluster` writes (kubeadm's admin.conf has the same shape).
std::string kind_kubeconfig() {
  return "apiVersion: v1\n"
         "clusters:\n"
         "- cluster:\n"
         "    certificate-authority-data: " + b64(kCa) + "\n"
         "    server: https://127.0.0.1:40123\n"
         "  name: kind-kind\n"
         "- cluster:\n"
         "    insecure-skip-tls-verify: true\n"
         "    server: https://other:6443\n"
         "  name: other\n"
         "contexts:\n"
         "- context:\n"
         "    cluster: kind-kind\n"
         "    user: kind-kind\n"
         "  name: kind-kind\n"
         "- context:\n"
         "    cluster: other\n"
         "    namespace: team-a\n"
         "    user: token-user\n"
         "  name: other\n"
         "current-context: kind-kind\n"
         "kind: Config\n"
         "preferences: {}\n"
         "users:\n"
         "- name: kind-kind\n"
         "  user:\n"
         "    client-certificate-data: " + b64(kCert) + "\n"
         "    client-key-data: " + b64(kKey) + "\n"
         "- name: token-user\n"
         "  user:\n"
         "    token: \"abc.def\"\n";
}

TEST(Kubeconfig, KindStyleInlineData) {
  ConfigLoad c = parse_kubeconfig(kind_kubeconfig(), "/nowhere");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->server, "https://127.0.0.1:40123");
  EXPECT_EQ(c->ca_pem, kCa);
  EXPECT_EQ(c->client_cert_pem, kCert);
  EXPECT_EQ(c->client_key_pem, kKey);
  EXPECT_FALSE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->ns, "default");
  EXPECT_TRUE(c->token.empty());
}

TEST(Kubeconfig, ExplicitContextTokenNamespaceInsecure) {
  ConfigLoad c = parse_kubeconfig(kind_kubeconfig(), "/nowhere", "other");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->server, "https://other:6443");
  EXPECT_TRUE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->token, "abc.def");
  EXPECT_EQ(c->ns, "team-a");
  EXPECT_TRUE(c->ca_pem.empty());
}

TEST(Kubeconfig, FilesRelativeToTheKubeconfig) {
  TempDir dir;
  dir.write("ca.crt", kCa);
  dir.write("client.crt", kCert);
  dir.write("client.key", kKey);
  dir.write("token", "file-token\n");
  std::string path = dir.write("config",
                               "apiVersion: v1\n"
                               "kind: Config\n"
                               "clusters:\n"
                               "  - name: c\n"
                               "    cluster:\n"
                               "      server: \"https://10.0.0.1:6443/\"\n"
                               "      certificate-authority: ca.crt\n"
                               "users:\n"
                               "  - name: u\n"
                               "    user:\n"
                               "      client-certificate: " + (dir.path / "client.crt").string() +
                                   "\n"
                               "      client-key: client.key\n"
                               "      tokenFile: token\n"
                               "contexts:\n"
                               "  - name: ctx\n"
                               "    context: {cluster: c, user: u}\n"
                               "current-context: ctx\n");
  // The same with a flow mapping for the context and block style elsewhere.
  std::string fixed = path;
  ConfigLoad c = load_kubeconfig_file(fixed);
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->server, "https://10.0.0.1:6443");
  EXPECT_EQ(c->ca_pem, kCa);
  EXPECT_EQ(c->client_cert_pem, kCert);
  EXPECT_EQ(c->client_key_pem, kKey);
  EXPECT_EQ(c->token_file, (dir.path / "token").string());
}

// Shapes hand-written and tool-written kubeconfigs use that a line-based subset parser missed:
// wrapped base64 in a block scalar, quoted keys and values, flow sequences, anchors, comments.
TEST(Kubeconfig, YamlVariants) {
  std::string ca = b64(kCa);
  // Wrapped at 20 columns inside a literal block scalar, as `base64 -w` output pasted in.
  std::string wrapped = "      " + ca.substr(0, 20) + "\n      " + ca.substr(20);
  std::string text =
      "# written by hand\n"
      "apiVersion: v1\n"
      "clusters: [{name: \"c\", cluster: {server: 'https://10.0.0.2:6443', \"insecure-skip-tls-verify\": false}}]\n"
      "x-defaults: &user\n"
      "  token: \"tok\\u0065n\"   # an escaped 'e'\n"
      "users:\n"
      "- name: 'u'\n"
      "  user: *user\n"
      "contexts:\n"
      "- {name: ctx, context: {cluster: c, user: u, namespace: \"team-b\"}}\n"
      "current-context: \"ctx\"\n"
      "preferences:\n"
      "  note: |\n"
      "    a block scalar\n"
      "    kubectl ignores\n";
  ConfigLoad c = parse_kubeconfig(text, "");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->server, "https://10.0.0.2:6443");
  EXPECT_FALSE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->token, "token");
  EXPECT_EQ(c->ns, "team-b");

  std::string block =
      "clusters:\n"
      "- name: c\n"
      "  cluster:\n"
      "    server: https://x:6443\n"
      "    certificate-authority-data: |\n"
      + wrapped + "\n"
      "contexts:\n- name: x\n  context:\n    cluster: c\ncurrent-context: x\n";
  c = parse_kubeconfig(block, "");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->ca_pem, kCa);
}

TEST(Kubeconfig, Json) {
  Json doc = {{"apiVersion", "v1"},
              {"current-context", "x"},
              {"contexts", {{{"name", "x"}, {"context", {{"cluster", "c"}, {"user", "u"}}}}}},
              {"clusters", {{{"name", "c"}, {"cluster", {{"server", "http://127.0.0.1:8080"}}}}}},
              {"users", {{{"name", "u"}, {"user", {{"token", "t"}}}}}}};
  ConfigLoad c = parse_kubeconfig(doc.dump(2), "");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->server, "http://127.0.0.1:8080");
  EXPECT_EQ(c->token, "t");
}

TEST(Kubeconfig, Errors) {
  EXPECT_FALSE(parse_kubeconfig("apiVersion: v1\n", "").has_value());  // no current-context
  EXPECT_FALSE(parse_kubeconfig(kind_kubeconfig(), "", "missing").has_value());
  std::string bad = kind_kubeconfig();
  bad.replace(bad.find("client-key-data: ") + 17, 4, "!!!!");
  EXPECT_FALSE(parse_kubeconfig(bad, "").has_value());
  EXPECT_FALSE(load_kubeconfig_file("/does/not/exist").has_value());
  std::string missing_file =
      "clusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority: nope.crt\n"
      "contexts:\n- name: x\n  context:\n    cluster: c\ncurrent-context: x\n";
  ConfigLoad c = parse_kubeconfig(missing_file, "/tmp");
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().find("nope.crt"), std::string::npos) << c.error();
}

TEST(InCluster, ServiceAccountDirAndEnvironment) {
  TempDir dir;
  dir.write("token", "sa-token");
  dir.write("ca.crt", kCa);
  dir.write("namespace", "runnel-system\n");
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  setenv("RUNNEL_SERVICEACCOUNT_DIR", dir.path.c_str(), 1);
  unsetenv("KUBECONFIG");
  ConfigLoad c = load_config("");
  unsetenv("RUNNEL_SERVICEACCOUNT_DIR");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->ca_pem, kCa);
  EXPECT_EQ(c->ns, "runnel-system");
  EXPECT_EQ(c->token_file, (dir.path / "token").string());
  unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_FALSE(load_in_cluster(dir.path.string()).has_value());
}

TEST(TokenSource, RereadsAfterPeriodAndOnInvalidate) {
  TempDir dir;
  std::string file = dir.write("token", "one\n");
  TokenSource ts("", file, std::chrono::seconds(3600));
  EXPECT_EQ(ts.token(), "one");
  dir.write("token", "two");
  EXPECT_EQ(ts.token(), "one");  // cached within the period
  EXPECT_TRUE(ts.invalidate());
  EXPECT_EQ(ts.token(), "two");
  TokenSource zero("", file, std::chrono::seconds(0));
  EXPECT_EQ(zero.token(), "two");
  dir.write("token", "three");
  EXPECT_EQ(zero.token(), "three");
  TokenSource fixed("static", "");
  EXPECT_FALSE(fixed.invalidate());
  EXPECT_EQ(fixed.token(), "static");
}

}  // namespace
}  // namespace runnel::kube
