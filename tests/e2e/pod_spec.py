"""What a kubelet derives from a pod spec before it starts a process: environment (with
Kubernetes `$(VAR)` expansion, fieldRef, resourceFieldRef, ConfigMap/Secret refs) and volume
contents (ConfigMap, Secret, downward API, projected service-account tokens, emptyDir, PVCs).

Processes run on the host, so a volume mounted at X is a directory or symlink at ROOT/X where
ROOT is the pod's own directory; `rewrite_paths` maps X to ROOT/X inside command lines and env
values, and the env var KUBE_LOCAL_POD_ROOT tells a program where its root is.
"""

import base64
import json
import math
import os
import re

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"

_SUFFIX = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}


def parse_quantity(q):
    m = re.fullmatch(r"([0-9.eE+-]+?)(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?", str(q).strip())
    if not m:
        raise ValueError(f"bad quantity {q!r}")
    return float(m.group(1)) * _SUFFIX[m.group(2) or ""]


def expand(text, env):
    """Kubernetes expansion: $(NAME) from env if defined, else kept; $$ is a literal $."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "$" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "(":
                end = text.find(")", i + 2)
                if end != -1:
                    name = text[i + 2:end]
                    out.append(env[name] if name in env else text[i:end + 1])
                    i = end + 1
                    continue
        out.append(c)
        i += 1
    return "".join(out)


def field_ref(pod, path, pod_ip):
    meta, spec = pod["metadata"], pod["spec"]
    m = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if m:
        return meta.get(m.group(1), {}).get(m.group(2), "")
    simple = {
        "metadata.name": meta["name"],
        "metadata.namespace": meta.get("namespace", "default"),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.podIP": pod_ip,
        "status.podIPs": pod_ip,
        "status.hostIP": "127.0.0.1",
        "status.hostIPs": "127.0.0.1",
    }
    if path in simple:
        return simple[path]
    if path in ("metadata.labels", "metadata.annotations"):
        items = meta.get(path.split(".")[1], {})
        return "\n".join(f'{k}="{v}"' for k, v in sorted(items.items()))
    raise ValueError(f"unsupported fieldRef {path}")


def resource_field_ref(pod, ref, container=None, node_alloc=None):
    name = ref.get("containerName") or (container or pod["spec"]["containers"][0])["name"]
    c = next(x for x in pod["spec"]["containers"] + pod["spec"].get("initContainers", [])
             if x["name"] == name)
    kind, res = ref["resource"].split(".", 1)
    res_spec = c.get("resources", {})
    value = res_spec.get(kind, {}).get(res)
    if value is None and kind == "requests":
        value = res_spec.get("limits", {}).get(res)
    if value is None:  # no limit: the node's allocatable, as the kubelet does
        value = (node_alloc or {}).get(res, "0")
    divisor = parse_quantity(ref.get("divisor", "1") or "1")
    return str(max(int(math.ceil(parse_quantity(value) / divisor)), 1 if kind == "limits" else 0))


def _lookup(kube, ns, kind, name, optional):
    obj = kube.get_or_none(f"/api/v1/namespaces/{ns}/{kind}/{name}")
    if obj is None and not optional:
        raise LookupError(f"{kind} {ns}/{name} not found")
    return obj


def _data(obj, secret):
    """Key -> bytes of a ConfigMap or Secret."""
    if obj is None:
        return {}
    out = {k: v.encode() for k, v in (obj.get("data") or {}).items()} if not secret else {
        k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
    for k, v in (obj.get("binaryData") or {}).items():
        out[k] = base64.b64decode(v)
    return out


def build_env(kube, pod, container, pod_ip, base, node_alloc=None):
    ns = pod["metadata"].get("namespace", "default")
    env = dict(base)
    for src in container.get("envFrom", []):
        for ref_key, kind, secret in (("configMapRef", "configmaps", False),
                                      ("secretRef", "secrets", True)):
            ref = src.get(ref_key)
            if ref:
                obj = _lookup(kube, ns, kind, ref["name"], ref.get("optional", False))
                for k, v in _data(obj, secret).items():
                    env[src.get("prefix", "") + k] = v.decode(errors="replace")
    for e in container.get("env", []):
        if "valueFrom" not in e:
            env[e["name"]] = expand(e.get("value", ""), env)
            continue
        vf = e["valueFrom"]
        if "fieldRef" in vf:
            env[e["name"]] = field_ref(pod, vf["fieldRef"]["fieldPath"], pod_ip)
        elif "resourceFieldRef" in vf:
            env[e["name"]] = resource_field_ref(pod, vf["resourceFieldRef"], container, node_alloc)
        else:
            for ref_key, kind, secret in (("configMapKeyRef", "configmaps", False),
                                          ("secretKeyRef", "secrets", True)):
                ref = vf.get(ref_key)
                if ref:
                    obj = _lookup(kube, ns, kind, ref["name"], ref.get("optional", False))
                    data = _data(obj, secret)
                    if ref["key"] in data:
                        env[e["name"]] = data[ref["key"]].decode(errors="replace")
                    elif not ref.get("optional", False):
                        raise LookupError(f"key {ref['key']} not in {kind} {ref['name']}")
    return env


def _write_files(target, files, mode=None):
    """Atomically replaces the contents of directory `target` with `files` (relpath -> bytes)."""
    os.makedirs(target, exist_ok=True)
    for rel, content in files.items():
        path = os.path.join(target, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(content)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)


def _items(data, items):
    if not items:
        return dict(data)
    return {it["path"]: data[it["key"]] for it in items if it["key"] in data}


def service_account_token(kube, pod, audience=None, seconds=3607):
    ns, meta = pod["metadata"].get("namespace", "default"), pod["metadata"]
    sa = pod["spec"].get("serviceAccountName") or "default"
    spec = {"expirationSeconds": max(int(seconds), 600),
            "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": meta["name"],
                               "uid": meta["uid"]}}
    if audience:
        spec["audiences"] = [audience]
    tr = kube.post(f"/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token",
                   {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec})
    return tr["status"]["token"].encode()


def _downward(pod, items, pod_ip, node_alloc):
    out = {}
    for it in items or []:
        if "fieldRef" in it:
            out[it["path"]] = field_ref(pod, it["fieldRef"]["fieldPath"], pod_ip).encode()
        elif "resourceFieldRef" in it:
            out[it["path"]] = resource_field_ref(pod, it["resourceFieldRef"],
                                                 node_alloc=node_alloc).encode()
    return out


def volume_files(kube, pod, vol, pod_ip, node_alloc=None):
    """Files (relpath -> bytes) of a ConfigMap/Secret/downwardAPI/projected volume, or None for
    volume kinds that are directories (emptyDir, PVC, hostPath)."""
    ns = pod["metadata"].get("namespace", "default")
    if "configMap" in vol:
        v = vol["configMap"]
        obj = _lookup(kube, ns, "configmaps", v["name"], v.get("optional", False))
        return _items(_data(obj, False), v.get("items"))
    if "secret" in vol:
        v = vol["secret"]
        obj = _lookup(kube, ns, "secrets", v["secretName"], v.get("optional", False))
        return _items(_data(obj, True), v.get("items"))
    if "downwardAPI" in vol:
        return _downward(pod, vol["downwardAPI"].get("items"), pod_ip, node_alloc)
    if "projected" in vol:
        files = {}
        for src in vol["projected"].get("sources", []):
            if "serviceAccountToken" in src:
                t = src["serviceAccountToken"]
                files[t["path"]] = service_account_token(
                    kube, pod, t.get("audience"), t.get("expirationSeconds", 3607))
            else:
                files.update(volume_files(kube, pod, src, pod_ip, node_alloc) or {})
        return files
    return None


def materialise(kube, pod, vol, pod_ip, vol_dir, node_alloc=None):
    files = volume_files(kube, pod, vol, pod_ip, node_alloc)
    if files is not None:
        _write_files(vol_dir, files)
    else:
        os.makedirs(vol_dir, exist_ok=True)


def rewrite_paths(text, mounts):
    """Replaces each mount path X (as a whole path) by its local directory, in one pass so a
    replacement is never rewritten again; longer paths win over their prefixes."""
    if not mounts:
        return text
    keys = sorted((m.rstrip("/") for m in mounts), key=len, reverse=True)
    local = {m.rstrip("/"): v for m, v in mounts.items()}
    pattern = r"(?<![\w.-])(" + "|".join(map(re.escape, keys)) + r")(?=$|[/\s,;:'\"])"
    return re.sub(pattern, lambda m: local[m.group(1)], text)


def mounts_env(root, mounts):
    return {"KUBE_LOCAL_POD_ROOT": root, "KUBE_LOCAL_MOUNTS": json.dumps(mounts)}
