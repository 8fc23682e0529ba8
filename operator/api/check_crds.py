#!/usr/bin/env python3
"""Offline checks of the CRDs in crds/ (a real kube-apiserver checks the rest when they are applied).

Checks: the YAML parses; names match the file name and the runnel.dev group; exactly one storage
version; the schema is structural (every node has a type, or is int-or-string / preserve-unknown);
defaults satisfy their own minimum/enum; scale subresource paths point at existing fields; printer
column paths exist. Exit status 1 and one line per problem when something is wrong.
Usage: check_crds.py [CRD_DIR]
"""
import pathlib
import re
import sys

import yaml

problems = []


def problem(where, msg):
    problems.append(f"{where}: {msg}")


def walk(node, where):
    if not isinstance(node, dict):
        problem(where, "schema node is not a mapping")
        return
    special = node.get("x-kubernetes-int-or-string") or node.get("x-kubernetes-preserve-unknown-fields")
    if "type" not in node and not special:
        problem(where, "no type (schema is not structural)")
    if "default" in node:
        d = node["default"]
        if "minimum" in node and isinstance(d, int) and d < node["minimum"]:
            problem(where, f"default {d} below minimum {node['minimum']}")
        if "enum" in node and d not in node["enum"]:
            problem(where, f"default {d!r} not in enum")
    for name, child in (node.get("properties") or {}).items():
        walk(child, f"{where}.{name}")
    if isinstance(node.get("items"), dict):
        walk(node["items"], f"{where}[]")
    if isinstance(node.get("additionalProperties"), dict):
        walk(node["additionalProperties"], f"{where}{{}}")


def has_path(schema, path):
    """`path` like .spec.replicas or .status.conditions[?(@.type=="Ready")].status."""
    node = schema
    path = re.sub(r"\[[^\]]*\]", "[]", path)
    for part in path.strip(".").split("."):
        name = part.split("[")[0]
        if name == "metadata" and node is schema:
            return True
        props = node.get("properties") or {}
        if name not in props:
            return False
        node = props[name]
        if "[" in part:
            node = node.get("items") or {}
    return True


def check(path):
    docs = list(yaml.safe_load_all(path.read_text()))
    if len(docs) != 1:
        problem(path.name, f"expected one document, found {len(docs)}")
        return
    crd = docs[0]
    spec = crd["spec"]
    if crd.get("apiVersion") != "apiextensions.k8s.io/v1" or crd.get("kind") != "CustomResourceDefinition":
        problem(path.name, "not an apiextensions.k8s.io/v1 CustomResourceDefinition")
    expected = f"{spec['names']['plural']}.{spec['group']}"
    if crd["metadata"]["name"] != expected or path.name != expected + ".yaml":
        problem(path.name, f"metadata.name and file name must be {expected}")
    if spec["group"] != "runnel.dev":
        problem(path.name, "group must be runnel.dev")
    storage = [v for v in spec["versions"] if v.get("storage")]
    if len(storage) != 1:
        problem(path.name, "exactly one version must be the storage version")
    for v in spec["versions"]:
        where = f"{path.name}:{v['name']}"
        schema = v["schema"]["openAPIV3Schema"]
        walk(schema, where)
        scale = (v.get("subresources") or {}).get("scale")
        if scale:
            for key in ("specReplicasPath", "statusReplicasPath", "labelSelectorPath"):
                if key in scale and not has_path(schema, scale[key]):
                    problem(where, f"scale {key} {scale[key]} not in schema")
        for col in v.get("additionalPrinterColumns") or []:
            if not has_path(schema, col["jsonPath"]):
                problem(where, f"printer column {col['name']}: {col['jsonPath']} not in schema")


def main():
    crd_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent / "crds")
    files = sorted(crd_dir.glob("*.yaml"))
    if not files:
        problem(str(crd_dir), "no CRDs found")
    for f in files:
        try:
            check(f)
        except (yaml.YAMLError, KeyError, TypeError) as e:
            problem(f.name, f"{type(e).__name__}: {e}")
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(files)} CRD(s) OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
