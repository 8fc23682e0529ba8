#pragma once

#include <cstdint>
#include <vector>

namespace runnel::server::handlers {

// The whole response frame (size prefix, header v0, ApiVersionsResponse v0 with
// UNSUPPORTED_VERSION and our ranges) for an ApiVersions request of a version we do not know.
void encode_api_versions_fallback(int32_t correlation_id, std::vector<uint8_t>& out);

}  // namespace runnel::server::handlers
