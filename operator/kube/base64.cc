#include "operator/kube/base64.h"

#include <openssl/evp.h>

namespace runnel::kube {

std::string base64_encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  // Normalise to what EVP_DecodeBlock takes: the standard alphabet, no whitespace, padded to a
  // multiple of four.
  std::string text;
  text.reserve(in.size() + 3);
  size_t padding = 0;
  for (char c : in) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after the padding
    text += c == '-' ? '+' : c == '_' ? '/' : c;
  }
  if (padding > 2 || text.size() % 4 == 1) return std::nullopt;
  const size_t missing = (4 - text.size() % 4) % 4;
  if (padding > 0 && padding != missing) return std::nullopt;
  text.append(missing, '=');
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;  // a character outside the alphabet
  // EVP_DecodeBlock counts the bytes the padding stands for as zeros; drop them.
  out.resize(static_cast<size_t>(n) - missing);
  return out;
}

}  // namespace runnel::kube
