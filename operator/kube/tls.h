#pragma once
// Loads PEM material from memory into an httplib::SSLClient's SSL_CTX: the CA bundle into the
// verify store (every certificate in it), and the client certificate and key for mutual TLS.
// Holding PEM in memory means inline `*-data` kubeconfig fields need no temporary files.

#include <string>

#include <httplib.h>

#include "broker/model/result.h"
#include "operator/kube/config.h"

namespace runnel::kube {

// The error says what failed.
runnel::Result<void, std::string> configure_tls(httplib::SSLClient& client, const Config& config);

}  // namespace runnel::kube
