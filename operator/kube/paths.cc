#include "operator/kube/paths.h"

namespace runnel::kube {

std::string group_version_path(const ResourceType& type) {
  std::string p = type.group.empty() ? "/api/" : "/apis/";
  if (!type.group.empty()) {
    p.append(type.group);
    p.push_back('/');
  }
  p.append(type.version);
  return p;
}

std::string collection_path(const ResourceType& type, std::string_view ns) {
  std::string p = group_version_path(type);
  if (type.namespaced && !ns.empty()) {
    p.append("/namespaces/");
    p.append(url_encode(ns));
  }
  p.push_back('/');
  p.append(type.plural);
  return p;
}

std::string object_path(const ResourceType& type, std::string_view ns, std::string_view name,
                        std::string_view subresource) {
  std::string p = collection_path(type, ns);
  p.push_back('/');
  p.append(url_encode(name));
  if (!subresource.empty()) {
    p.push_back('/');
    p.append(subresource);
  }
  return p;
}

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    out.push_back(out.empty() ? '?' : '&');
    out.append(k);
    out.push_back('=');
    out.append(url_encode(v));
  }
  return out;
}

}  // namespace runnel::kube
