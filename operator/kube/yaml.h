#pragma once
// YAML (kubeconfig files) to JSON, on yaml-cpp.
//
// Everything YAML 1.2 can express in a single document is accepted: block and flow collections
// at any depth, every quoting style, block scalars (`|`, `>`), anchors and aliases, comments.
// Multi-document streams are rejected (a kubeconfig is one document), as are duplicate mapping
// keys and non-scalar mapping keys, since a JSON object cannot hold them. One leniency of
// yaml-cpp 0.7 remains: a double-quoted scalar still open at the end of the input ends there.
// Input whose first significant character is `{` is parsed as JSON (JSON is also valid YAML), so
// JSON numbers keep their exact type.
//
// Plain (unquoted, untagged) scalars `true`/`false`, `null`/`~`/empty and integers become JSON
// booleans, null and numbers, as in YAML 1.2's core schema; everything else stays a string,
// including every quoted scalar ("1.0", 'true').

#include <string>
#include <string_view>

#include "broker/model/result.h"
#include "operator/kube/api.h"

namespace runnel::kube {

// The document, or what is wrong with it ("line N: what" when the line is known).
using YamlParse = runnel::Result<Json, std::string>;

YamlParse parse_yaml(std::string_view text);

}  // namespace runnel::kube
