"""Everything the chart renders, and manifests/, accepted by a real API server
(`kubectl apply --dry-run=server`: admission, schema and CRD validation, no objects stored).
CRDs are applied for real first, as `helm install` does with crds/."""

import json

import pytest

from helm_cli import CHART, CI_VALUES, REPO, docs

SCENARIOS = {p.name.removesuffix("-values.yaml"): p for p in CI_VALUES}

# Stand-ins for the Prometheus Operator's CRDs (not available offline): they make the kinds
# exist, so the server checks the objects' envelope; the rule content is checked by promtool in
# test_render.py. Their schemas accept any spec.
def stand_in_crd(kind, plural):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.monitoring.coreos.com"},
            "spec": {"group": "monitoring.coreos.com", "scope": "Namespaced",
                     "names": {"kind": kind, "plural": plural, "singular": kind.lower(),
                               "listKind": kind + "List"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                         "openAPIV3Schema": {"type": "object",
                                             "x-kubernetes-preserve-unknown-fields": True}}}]}}


@pytest.fixture(scope="module")
def prepared(kube):
    kube.kubectl("apply", "--server-side", "-f", str(CHART / "crds"))
    kube.kubectl("create", "namespace", "runnel-test")
    kube.kubectl("create", "namespace", "runnel-team-a")
    kube.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        stand_in_crd("PodMonitor", "podmonitors"), stand_in_crd("PrometheusRule", "prometheusrules")]}))
    kube.kubectl("wait", "--for", "condition=Established", "--timeout=60s", "crd", "--all")
    return kube


def dry_run(kube, text):
    return kube.kubectl("apply", "--dry-run=server", "-f", "-", input=text, check=False,
                        timeout=120)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_chart_scenario_server_dry_run(prepared, kube_helm, name):
    # With the monitoring API announced, so PodMonitor and PrometheusRule render too.
    text = kube_helm.template("-f", SCENARIOS[name], monitoring=True)
    out = dry_run(prepared, text)
    objs = docs(text)
    assert objs, "nothing rendered"
    assert out.count("(server dry run)") == len(objs), out


def test_bad_object_is_refused(prepared, kube_helm):
    """The dry run is a real check: the API server refuses what the CRD forbids."""
    text = kube_helm.template("-f", SCENARIOS["with-cluster-and-topics"])
    bad = text.replace("partitions: 3", "partitions: 0", 1)
    r = dry_run(prepared, bad)
    assert "(server dry run)" in r  # the rest went through
    with pytest.raises(RuntimeError, match="partitions"):
        prepared.kubectl("apply", "--dry-run=server", "-f", "-", input=bad)


def test_manifests_server_dry_run(prepared):
    man = REPO / "manifests"
    prepared.kubectl("apply", "--server-side", "-f", str(man / "00-crds.yaml"))
    prepared.kubectl("apply", "-f", str(man / "01-namespace.yaml"))
    out = prepared.kubectl("apply", "--dry-run=server", "-f", str(man))
    expected = sum(len(docs(p.read_text())) for p in man.glob("*.yaml"))
    assert out.count("(server dry run)") == expected, out
    out = prepared.kubectl("apply", "--dry-run=server", "-n", "runnel-test", "-f",
                           str(man / "samples"))
    expected = sum(len(docs(p.read_text())) for p in (man / "samples").glob("*.yaml"))
    assert out.count("(server dry run)") == expected, out
