#include "broker/group/topic_regex.h"

#include <cstring>

namespace runnel::group {

std::string ecmascript_from_re2(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size());
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern.compare(i, 2, "\\Q") != 0) {
      // Copy an escape whole, so that the "\\" of "\\Q" is not taken for the start of a quote.
      size_t n = pattern[i] == '\\' && i + 1 < pattern.size() ? 2 : 1;
      out.append(pattern, i, n);
      i += n;
      continue;
    }
    size_t end = pattern.find("\\E", i + 2);
    size_t stop = end == std::string::npos ? pattern.size() : end;
    for (size_t j = i + 2; j < stop; ++j) {
      if (pattern[j] != '\0' && std::strchr("\\^$.|?*+()[]{}", pattern[j]) != nullptr) out.push_back('\\');
      out.push_back(pattern[j]);
    }
    i = end == std::string::npos ? stop : end + 2;
  }
  return out;
}

std::optional<std::regex> compile_topic_regex(const std::string& pattern) {
  try {
    return std::regex(ecmascript_from_re2(pattern), std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
}

}  // namespace runnel::group
