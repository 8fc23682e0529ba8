#include "operator/kube/yaml.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>
#include <vector>

namespace runnel::kube {
namespace {

// A YAML node that has no JSON form; carries the 1-based line for the message.
struct Unrepresentable : std::runtime_error {
  Unrepresentable(const YAML::Node& node, const std::string& what)
      : std::runtime_error("line " + std::to_string(node.Mark().line + 1) + ": " + what) {}
};

bool is_integer(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size() || s.size() > 18) return false;  // 18 digits always fit an int64
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// YAML 1.2 core-schema resolution of a plain scalar, restricted to what JSON can hold exactly:
// floats stay strings, as they did for every consumer so far (a kubeconfig has none).
Json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (is_integer(s)) return std::stoll(s);
  return s;
}

Json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // "?" is the non-specific tag of plain scalars; quoted and block scalars carry "!".
      return node.Tag() == "?" ? plain_scalar(node.Scalar()) : Json(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& item : node) arr.push_back(to_json(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) throw Unrepresentable(kv.first, "mapping keys must be scalars");
        const std::string& key = kv.first.Scalar();
        if (obj.contains(key)) throw Unrepresentable(kv.first, "duplicate key '" + key + "'");
        obj[key] = to_json(kv.second);
      }
      return obj;
    }
  }
  return nullptr;
}

}  // namespace

YamlParse parse_yaml(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Unexpected("invalid JSON");
    return doc;
  }
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    if (docs.size() > 1) return Unexpected("more than one YAML document");
    return docs.empty() ? Json() : to_json(docs.front());
  } catch (const YAML::Exception& e) {
    // e.what() already reads "yaml-cpp: error at line L, column C: <msg>".
    return Unexpected("line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  } catch (const Unrepresentable& e) {
    return Unexpected(std::string(e.what()));
  }
}

}  // namespace runnel::kube
