#include "broker/cluster/topic_name.h"

namespace runnel::cluster {

Result<void, std::string> validate_topic_name(std::string_view name) {
  if (name.empty()) return Unexpected("Topic name is illegal, it can't be empty");
  if (name == "." || name == "..") return Unexpected("Topic name cannot be \".\" or \"..\"");
  if (name.size() > 249) {
    return Unexpected("Topic name is illegal, it can't be longer than 249 characters, topic name: " +
                      std::string(name));
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) {
      return Unexpected("Topic name \"" + std::string(name) +
                        "\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'");
    }
  }
  return {};
}

std::string collision_key(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '.') c = '_';
  }
  return out;
}

}  // namespace runnel::cluster
