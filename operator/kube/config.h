#pragma once
// How to reach and authenticate to the API server: from a kubeconfig file (kubectl, kind,
// kubeadm) or from the pod's service account (in-cluster).
//
// Certificates and keys are always held as PEM text: files named by a kubeconfig are read at load
// time, `*-data` fields are base64-decoded, so the TLS layer loads everything from memory and no
// temporary key files are written. A token file is not read here: `TokenSource` re-reads it so
// that rotated service-account tokens are picked up.

#include <string>
#include <string_view>

#include "broker/model/result.h"

namespace runnel::kube {

struct Config {
  std::string server;  // "https://10.96.0.1:443", "http://127.0.0.1:8080"
  std::string ca_pem;  // empty: system trust store
  bool insecure_skip_tls_verify = false;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string token;       // a static bearer token
  std::string token_file;  // a bearer token file, re-read when it rotates
  std::string ns = "default";  // the context's namespace, or the pod's namespace
  std::string origin;          // where this came from, for logs ("kubeconfig /x (context kind)")
};

// The configuration, or why it cannot be used (a message for the person starting the operator).
using ConfigLoad = runnel::Result<Config, std::string>;

// Parses kubeconfig text (YAML or JSON). Relative file paths resolve against `base_dir`.
// `context` empty means current-context.
ConfigLoad parse_kubeconfig(std::string_view text, std::string_view base_dir,
                            std::string_view context = {});
ConfigLoad load_kubeconfig_file(const std::string& path, std::string_view context = {});

// In-cluster: KUBERNETES_SERVICE_HOST/PORT plus `sa_dir`/{token,ca.crt,namespace}. `sa_dir` empty
// means $RUNNEL_SERVICEACCOUNT_DIR, else /var/run/secrets/kubernetes.io/serviceaccount.
ConfigLoad load_in_cluster(std::string sa_dir = {});

// The operator's rule: an explicit path, else $KUBECONFIG (first entry), else in-cluster.
ConfigLoad load_config(const std::string& kubeconfig_flag);

}  // namespace runnel::kube
