#pragma once
// A parser for the small subset of YAML that kubeconfig files use, producing JSON.
//
// No YAML library is packaged for us, and kubeconfigs written by kubectl, kind and kubeadm only
// use: block mappings, block sequences (of mappings or scalars, indented or at the parent key's
// column), plain / 'single' / "double" quoted scalars, comments, a leading `---`, and one-level
// flow collections of scalars (`{}`, `[]`, `{cluster: c, user: u}`, `[a, b]`). Block scalars
// (`|`, `>`), anchors, tags, nested flow collections and multi-document streams are rejected
// with an error rather than misread.
// Input whose first significant character is `{` is parsed as JSON (JSON is also valid YAML).
//
// Plain scalars `true`/`false`, `null`/`~`/empty and integers become JSON booleans, null and
// numbers; everything else stays a string.

#include <string>
#include <string_view>

#include "operator/kube/api.h"

namespace runnel::kube {

struct YamlParse {
  Json doc;
  std::string error;  // empty on success; otherwise "line N: what"
  bool ok() const { return error.empty(); }
};

YamlParse parse_yaml_lite(std::string_view text);

}  // namespace runnel::kube
