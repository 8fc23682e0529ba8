#include "operator/kube/config.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "operator/kube/base64.h"
#include "operator/kube/yaml.h"

namespace runnel::kube {
namespace {

// The file's contents, or nullopt when it cannot be opened.
std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return std::string(base_dir) + "/" + path;
}

std::string str(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_string()) return {};
  return obj[key].get<std::string>();
}

bool truthy(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key)) return false;
  const Json& v = obj[key];
  return v.is_boolean() ? v.get<bool>() : (v.is_string() && v.get<std::string>() == "true");
}

// Finds `name` in a kubeconfig list such as `clusters: [{name: x, cluster: {...}}]`.
const Json* named(const Json& doc, const char* list, const char* field, const std::string& name) {
  if (!doc.contains(list) || !doc[list].is_array()) return nullptr;
  for (const Json& e : doc[list])
    if (str(e, "name") == name && e.contains(field) && e[field].is_object()) return &e[field];
  return nullptr;
}

// Loads PEM from `<key>-data` (base64) or `<key>` (a file path); empty when neither is set.
runnel::Result<std::string, std::string> pem(const Json& obj, const std::string& key, std::string_view base_dir) {
  std::string data = str(obj, (key + "-data").c_str());
  if (!data.empty()) {
    std::optional<std::string> out = base64_decode(data);
    if (!out) return Unexpected(key + "-data is not valid base64");
    return *std::move(out);
  }
  std::string path = str(obj, key.c_str());
  if (path.empty()) return std::string();
  std::optional<std::string> out = read_file(resolve(base_dir, path));
  if (!out) return Unexpected("cannot read " + key + " " + path);
  return *std::move(out);
}

}  // namespace

ConfigLoad parse_kubeconfig(std::string_view text, std::string_view base_dir,
                            std::string_view context) {
  YamlParse parsed = parse_yaml(text);
  if (!parsed) return Unexpected("kubeconfig: " + parsed.error());
  const Json& doc = *parsed;
  if (!doc.is_object()) return Unexpected("kubeconfig: not a mapping");
  std::string ctx_name = context.empty() ? str(doc, "current-context") : std::string(context);
  if (ctx_name.empty()) return Unexpected("kubeconfig: no current-context");
  const Json* ctx = named(doc, "contexts", "context", ctx_name);
  if (!ctx) return Unexpected("kubeconfig: context '" + ctx_name + "' not found");
  const Json* cluster = named(doc, "clusters", "cluster", str(*ctx, "cluster"));
  if (!cluster) return Unexpected("kubeconfig: cluster '" + str(*ctx, "cluster") + "' not found");
  static const Json kNoUser = Json::object();
  const Json* user = named(doc, "users", "user", str(*ctx, "user"));
  if (!user) user = &kNoUser;  // anonymous access is legal

  Config c;
  c.origin = "kubeconfig context " + ctx_name;
  c.server = str(*cluster, "server");
  if (c.server.empty()) return Unexpected("kubeconfig: cluster has no server");
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  c.insecure_skip_tls_verify = truthy(*cluster, "insecure-skip-tls-verify");
  auto ca = pem(*cluster, "certificate-authority", base_dir);
  if (!ca) return Unexpected(std::move(ca).error());
  auto cert = pem(*user, "client-certificate", base_dir);
  if (!cert) return Unexpected(std::move(cert).error());
  auto key = pem(*user, "client-key", base_dir);
  if (!key) return Unexpected(std::move(key).error());
  c.ca_pem = std::move(ca).value();
  c.client_cert_pem = std::move(cert).value();
  c.client_key_pem = std::move(key).value();
  c.token = str(*user, "token");
  std::string token_file = str(*user, "tokenFile");
  if (!token_file.empty()) c.token_file = resolve(base_dir, token_file);
  if (user->contains("exec") || user->contains("auth-provider"))
    if (c.token.empty() && c.token_file.empty() && c.client_cert_pem.empty())
      return Unexpected("kubeconfig: exec and auth-provider credentials are not supported");
  if (c.client_cert_pem.empty() != c.client_key_pem.empty())
    return Unexpected("kubeconfig: client certificate and key must be given together");
  std::string ns = str(*ctx, "namespace");
  if (!ns.empty()) c.ns = ns;
  return c;
}

ConfigLoad load_kubeconfig_file(const std::string& path, std::string_view context) {
  std::optional<std::string> text = read_file(path);
  if (!text) return Unexpected("cannot read kubeconfig " + path);
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  ConfigLoad out = parse_kubeconfig(*text, dir, context);
  if (out) out->origin += " from " + path;
  return out;
}

ConfigLoad load_in_cluster(std::string sa_dir) {
  if (sa_dir.empty()) {
    const char* env = std::getenv("RUNNEL_SERVICEACCOUNT_DIR");
    sa_dir = env && *env ? env : "/var/run/secrets/kubernetes.io/serviceaccount";
  }
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port)
    return Unexpected("not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  Config c;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 service address
  c.server = "https://" + h + ":" + port;
  c.token_file = sa_dir + "/token";
  if (!read_file(c.token_file)) return Unexpected("cannot read " + c.token_file);
  std::optional<std::string> ca = read_file(sa_dir + "/ca.crt");
  if (!ca) return Unexpected("cannot read " + sa_dir + "/ca.crt");
  c.ca_pem = *std::move(ca);
  if (std::optional<std::string> ns = read_file(sa_dir + "/namespace")) {
    while (!ns->empty() && (ns->back() == '\n' || ns->back() == ' ')) ns->pop_back();
    if (!ns->empty()) c.ns = *ns;
  }
  c.origin = "in-cluster service account " + sa_dir;
  return c;
}

ConfigLoad load_config(const std::string& kubeconfig_flag) {
  if (!kubeconfig_flag.empty()) return load_kubeconfig_file(kubeconfig_flag);
  const char* env = std::getenv("KUBECONFIG");
  if (env && *env) {
    std::string first = env;
    first = first.substr(0, first.find(':'));
    return load_kubeconfig_file(first);
  }
  return load_in_cluster();
}

}  // namespace runnel::kube
