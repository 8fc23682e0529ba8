#include "operator/kube/config.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "operator/kube/base64.h"
#include "operator/kube/yaml.h"

namespace runnel::kube {
namespace {

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
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

// Loads PEM from `<key>-data` (base64) or `<key>` (a file path).
std::string pem(const Json& obj, const std::string& key, std::string_view base_dir,
                std::string* error) {
  std::string data = str(obj, (key + "-data").c_str());
  if (!data.empty()) {
    std::optional<std::string> out = base64_decode(data);
    if (!out) *error = key + "-data is not valid base64";
    return out.value_or(std::string());
  }
  std::string path = str(obj, key.c_str());
  if (path.empty()) return {};
  std::string out;
  if (!read_file(resolve(base_dir, path), &out)) *error = "cannot read " + key + " " + path;
  return out;
}

}  // namespace

ConfigLoad parse_kubeconfig(std::string_view text, std::string_view base_dir,
                            std::string_view context) {
  YamlParse parsed = parse_yaml(text);
  if (!parsed.ok()) return {{}, "kubeconfig: " + parsed.error};
  const Json& doc = parsed.doc;
  if (!doc.is_object()) return {{}, "kubeconfig: not a mapping"};
  std::string ctx_name = context.empty() ? str(doc, "current-context") : std::string(context);
  if (ctx_name.empty()) return {{}, "kubeconfig: no current-context"};
  const Json* ctx = named(doc, "contexts", "context", ctx_name);
  if (!ctx) return {{}, "kubeconfig: context '" + ctx_name + "' not found"};
  const Json* cluster = named(doc, "clusters", "cluster", str(*ctx, "cluster"));
  if (!cluster) return {{}, "kubeconfig: cluster '" + str(*ctx, "cluster") + "' not found"};
  static const Json kNoUser = Json::object();
  const Json* user = named(doc, "users", "user", str(*ctx, "user"));
  if (!user) user = &kNoUser;  // anonymous access is legal

  ConfigLoad out;
  Config& c = out.config;
  c.origin = "kubeconfig context " + ctx_name;
  c.server = str(*cluster, "server");
  if (c.server.empty()) return {{}, "kubeconfig: cluster has no server"};
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  c.insecure_skip_tls_verify = truthy(*cluster, "insecure-skip-tls-verify");
  c.ca_pem = pem(*cluster, "certificate-authority", base_dir, &out.error);
  c.client_cert_pem = pem(*user, "client-certificate", base_dir, &out.error);
  c.client_key_pem = pem(*user, "client-key", base_dir, &out.error);
  c.token = str(*user, "token");
  std::string token_file = str(*user, "tokenFile");
  if (!token_file.empty()) c.token_file = resolve(base_dir, token_file);
  if (user->contains("exec") || user->contains("auth-provider"))
    if (c.token.empty() && c.token_file.empty() && c.client_cert_pem.empty())
      out.error = "kubeconfig: exec and auth-provider credentials are not supported";
  if (c.client_cert_pem.empty() != c.client_key_pem.empty())
    out.error = "kubeconfig: client certificate and key must be given together";
  std::string ns = str(*ctx, "namespace");
  if (!ns.empty()) c.ns = ns;
  return out;
}

ConfigLoad load_kubeconfig_file(const std::string& path, std::string_view context) {
  std::string text;
  if (!read_file(path, &text)) return {{}, "cannot read kubeconfig " + path};
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  ConfigLoad out = parse_kubeconfig(text, dir, context);
  out.config.origin += " from " + path;
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
    return {{}, "not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set"};
  ConfigLoad out;
  Config& c = out.config;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 service address
  c.server = "https://" + h + ":" + port;
  c.token_file = sa_dir + "/token";
  std::string probe;
  if (!read_file(c.token_file, &probe)) return {{}, "cannot read " + c.token_file};
  if (!read_file(sa_dir + "/ca.crt", &c.ca_pem)) return {{}, "cannot read " + sa_dir + "/ca.crt"};
  std::string ns;
  if (read_file(sa_dir + "/namespace", &ns)) {
    while (!ns.empty() && (ns.back() == '\n' || ns.back() == ' ')) ns.pop_back();
    if (!ns.empty()) c.ns = ns;
  }
  c.origin = "in-cluster service account " + sa_dir;
  return out;
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
