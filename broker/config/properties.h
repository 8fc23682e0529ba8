#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/config/result.h"

namespace runnel::config {

// One `key=value` entry of a .properties file, with the 1-based line where its logical line
// starts, so an error can point at the file position a person must edit.
struct Property {
  std::string key;
  std::string value;
  std::size_t line = 0;
};

// The entries of a Java .properties file in file order. Duplicate keys are kept (so a caller can
// warn about them); lookups return the last one, as java.util.Properties does.
class Properties {
 public:
  Properties() = default;
  explicit Properties(std::vector<Property> entries) : entries_(std::move(entries)) {}

  const std::vector<Property>& entries() const { return entries_; }
  const Property* find(std::string_view key) const;
  std::optional<std::string> get(std::string_view key) const;
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Property> entries_;
};

// Parses text exactly as java.util.Properties.load does: `#`/`!` comment lines, `=`, `:` or
// whitespace separators, `\` line continuations (leading whitespace of the next line dropped),
// escapes `\t \n \r \f \uXXXX` (other escaped characters stand for themselves), values not
// trimmed. The only failure is a malformed `\u` escape. Bytes outside escapes pass through
// unchanged (we read UTF-8 where Java reads ISO-8859-1; ASCII files behave identically), and
// `\uXXXX` is encoded as UTF-8.
Result<Properties> parse_properties(std::string_view text);

// Reads and parses a file; errors name the path.
Result<Properties> load_properties_file(const std::string& path);

}  // namespace runnel::config
