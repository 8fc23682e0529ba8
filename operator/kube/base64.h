#pragma once
// Base64 (RFC 4648) on OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock, for kubeconfig `*-data`
// fields and Secret data.
//
// Decoding is lenient where kubeconfigs written by hand or by tools differ: whitespace and line
// breaks anywhere are skipped, the URL-safe alphabet (`-`, `_`) is accepted, and the trailing `=`
// padding may be missing. Anything else (a foreign character, `=` before the end, a length that
// leaves a lone 6-bit group) is invalid.

#include <optional>
#include <string>
#include <string_view>

namespace runnel::kube {

std::string base64_encode(std::string_view in);
// nullopt when `in` is not base64.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace runnel::kube
