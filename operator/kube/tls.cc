#include "operator/kube/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace runnel::kube {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

using TlsResult = runnel::Result<void, std::string>;

Bio memory_bio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

TlsResult add_ca_bundle(SSL_CTX* ctx, const std::string& pem) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  Bio bio = memory_bio(pem);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, cert);  // takes its own reference
    X509_free(cert);
    ++added;
  }
  ERR_clear_error();  // the loop ends on a "no start line" error
  if (added == 0) return Unexpected("certificate-authority holds no PEM certificate");
  return {};
}

TlsResult use_client_cert(SSL_CTX* ctx, const std::string& cert_pem, const std::string& key_pem) {
  Bio cert_bio = memory_bio(cert_pem);
  X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
  if (!cert) return Unexpected("client-certificate is not a PEM certificate");
  int ok = SSL_CTX_use_certificate(ctx, cert);
  X509_free(cert);
  if (ok != 1) return Unexpected("client-certificate rejected by OpenSSL");
  // Any intermediates after the leaf go into the chain sent to the server.
  while (X509* extra = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr))
    SSL_CTX_add0_chain_cert(ctx, extra);
  ERR_clear_error();
  Bio key_bio = memory_bio(key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  if (!key) return Unexpected("client-key is not a PEM private key");
  ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (ok != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return Unexpected("client-key does not match client-certificate");
  }
  return {};
}

}  // namespace

TlsResult configure_tls(httplib::SSLClient& client, const Config& config) {
  SSL_CTX* ctx = client.ssl_context();
  if (!ctx) return Unexpected("cannot create an SSL context");
  client.enable_server_certificate_verification(!config.insecure_skip_tls_verify);
  if (!config.ca_pem.empty() && !config.insecure_skip_tls_verify) {
    if (TlsResult added = add_ca_bundle(ctx, config.ca_pem); !added) return added;
  }
  if (!config.client_cert_pem.empty()) return use_client_cert(ctx, config.client_cert_pem,
                                                               config.client_key_pem);
  return {};
}

}  // namespace runnel::kube
