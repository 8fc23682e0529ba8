"""Unit tests of the node agent's pod-spec logic (no cluster needed): $(VAR) expansion, path
rewriting, quantities, fieldRef/resourceFieldRef, image names, status phases."""

import pytest

import pod_spec
from pod_runtime import image_name

POD = {"metadata": {"name": "web-1", "namespace": "ns1", "uid": "u1",
                    "labels": {"apps.kubernetes.io/pod-index": "1", "app": "web"}},
       "spec": {"nodeName": "n1", "serviceAccountName": "sa",
                "containers": [{"name": "c", "resources": {
                    "requests": {"cpu": "250m", "memory": "64Mi"},
                    "limits": {"memory": "1Gi"}}}]}}


def test_expand_follows_kubernetes_rules():
    env = {"POD_IP": "127.0.10.2", "EMPTY": ""}
    assert pod_spec.expand("PLAINTEXT://$(POD_IP):9092", env) == "PLAINTEXT://127.0.10.2:9092"
    assert pod_spec.expand("$(UNDEFINED)-$$(POD_IP)-$$-$x-$(EMPTY)", env) == \
        "$(UNDEFINED)-$(POD_IP)-$-$x-"
    assert pod_spec.expand("tail $(", env) == "tail $("


def test_rewrite_paths_whole_paths_only_and_once():
    m = {"/var/lib/runnel": "/a/root/var/lib/runnel", "/tmp": "/a/root/tmp",
         "/etc/runnel/": "/a/root/etc/runnel"}
    assert pod_spec.rewrite_paths("log.dirs=/var/lib/runnel,/tmp/x", m) == \
        "log.dirs=/a/root/var/lib/runnel,/a/root/tmp/x"
    assert pod_spec.rewrite_paths("/var/lib/runnelx /x/tmp /etc/runnel/f", m) == \
        "/var/lib/runnelx /x/tmp /a/root/etc/runnel/f"


@pytest.mark.parametrize("q,v", [("500m", 0.5), ("2", 2), ("1Gi", 2**30), ("1k", 1000),
                                 ("1.5", 1.5)])
def test_parse_quantity(q, v):
    assert pod_spec.parse_quantity(q) == v


def test_field_refs():
    f = lambda p: pod_spec.field_ref(POD, p, "127.0.10.7")  # noqa: E731
    assert f("metadata.name") == "web-1"
    assert f("metadata.namespace") == "ns1"
    assert f("metadata.labels['apps.kubernetes.io/pod-index']") == "1"
    assert f("status.podIP") == "127.0.10.7"
    assert f("spec.nodeName") == "n1"
    assert f("spec.serviceAccountName") == "sa"
    with pytest.raises(ValueError):
        f("spec.nope")


def test_resource_field_refs():
    r = lambda res, div="1": pod_spec.resource_field_ref(  # noqa: E731
        POD, {"resource": res, "divisor": div}, node_alloc={"cpu": "8", "memory": "32Gi"})
    assert r("requests.cpu", "1m") == "250"
    assert r("requests.cpu") == "1"  # rounded up, as the kubelet does
    assert r("limits.cpu") == "8"  # no limit: node allocatable
    assert r("limits.memory", "1Mi") == "1024"


def test_image_name_ignores_tag_and_digest():
    assert image_name("runnel:dev") == "runnel"
    assert image_name("runnel") == "runnel"
    assert image_name("reg:5000/x/runnel:1.0") == "reg:5000/x/runnel"
    assert image_name("runnel@sha256:abc") == "runnel"


class FakeKube:
    def __init__(self, objs):
        self.objs = objs

    def get_or_none(self, path):
        return self.objs.get(path)


def test_env_from_configmap_secret_and_refs():
    kube = FakeKube({
        "/api/v1/namespaces/ns1/configmaps/cm": {"data": {"A": "1", "B": "2"}},
        "/api/v1/namespaces/ns1/secrets/s": {"data": {"PW": "c2VjcmV0"}}})
    c = {"name": "c", "envFrom": [{"configMapRef": {"name": "cm"}, "prefix": "CM_"}],
         "env": [{"name": "X", "value": "x-$(CM_A)"},
                 {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "s", "key": "PW"}}},
                 {"name": "MISSING", "valueFrom": {"configMapKeyRef": {
                     "name": "nope", "key": "k", "optional": True}}},
                 {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]}
    env = pod_spec.build_env(kube, POD, c, "127.0.10.9", {"BASE": "b"})
    assert env == {"BASE": "b", "CM_A": "1", "CM_B": "2", "X": "x-1", "PW": "secret",
                   "IP": "127.0.10.9"}
    with pytest.raises(LookupError):
        pod_spec.build_env(kube, POD, {"name": "c", "env": [{"name": "M", "valueFrom": {
            "configMapKeyRef": {"name": "nope", "key": "k"}}}]}, "ip", {})
