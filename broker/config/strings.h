#pragma once

#include <string>
#include <string_view>

namespace runnel::config {

// Concatenates string-like parts. Used instead of `"literal" + std::string` chains, on which
// GCC 12 at -O3 raises a false -Wrestrict (an error under -Werror).
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

}  // namespace runnel::config
