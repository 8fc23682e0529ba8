#pragma once
// REST paths for a ResourceType: the core group lives under /api/v1, every other group under
// /apis/<group>/<version>; namespaced types insert /namespaces/<ns>.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operator/kube/api.h"

namespace runnel::kube {

// "/api/v1" or "/apis/apps/v1".
std::string group_version_path(const ResourceType& type);
// ".../namespaces/<ns>/<plural>"; `ns` empty (or a cluster-scoped type) gives ".../<plural>".
std::string collection_path(const ResourceType& type, std::string_view ns);
// ".../<plural>/<name>[/<subresource>]".
std::string object_path(const ResourceType& type, std::string_view ns, std::string_view name,
                        std::string_view subresource = {});
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view s);
// "?k=v&k2=v2" with encoded values, skipping empty values; "" when nothing remains.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace runnel::kube
