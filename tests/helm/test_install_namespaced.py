"""`helm install` of charts/runnel/ci/watch-namespaces-values.yaml on kube-local: the operator
(2 replicas, leader election) has only Roles in the watched namespaces and none cluster-wide,
and still runs the chart's cluster and topic; a RunnelCluster in the other watched namespace is
reconciled too, one in an unwatched namespace is not. Then uninstall leaves nothing but the
brokers' data claim (kept by default)."""

import json

import pytest

from helm_cli import CHART
from install_checks import (get, install, is_ready, uninstall_and_check_clean,
                            wait_cluster_ready, wait_topic_ready)
from kube_local import wait_for

NS = "runnel-ns"
OTHER = "runnel-team-a"     # listed in the scenario's watchNamespaces
UNWATCHED = "runnel-elsewhere"
RELEASE = "scoped"
CLUSTER = "scoped-runnel"
VALUES = CHART / "ci" / "watch-namespaces-values.yaml"


def cluster_obj(name, ns):
    return {"apiVersion": "runnel.dev/v1alpha1", "kind": "RunnelCluster",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": 1, "image": "runnel:dev", "storage": {"size": "1Gi"}}}


@pytest.fixture(scope="module")
def release(kube, kube_helm, node_agent):
    for ns in (OTHER, UNWATCHED):
        kube.kubectl("create", "namespace", ns)
    return install(kube_helm, RELEASE, NS, VALUES).stdout


def test_no_cluster_wide_rbac(kube, release):
    for kind in ("clusterroles", "clusterrolebindings"):
        assert not kube.kubectl("get", kind, "-l", f"app.kubernetes.io/instance={RELEASE}",
                                "-o", "name").strip()
    for ns in (NS, OTHER):
        assert get(kube, ns, "role", "scoped-runnel-operator")
    assert not get(kube, UNWATCHED, "role", "scoped-runnel-operator")


def test_one_leader_of_two(kube, release):
    pods = [p for p in get(kube, NS, "pods")["items"]
            if p["metadata"]["labels"].get("app.kubernetes.io/name") == "runnel-operator"]
    assert len(pods) == 2
    lease = wait_for(lambda: get(kube, NS, "lease", "runnel-operator"), 60, what="lease")
    assert lease["spec"]["holderIdentity"] in {p["metadata"]["name"] for p in pods}


def test_chart_cluster_and_topic(kube, release):
    wait_cluster_ready(kube, NS, CLUSTER, 1)
    wait_topic_ready(kube, NS, "events")


def test_only_watched_namespaces_are_reconciled(kube, release):
    kube.kubectl("apply", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "List",
         "items": [cluster_obj("team", OTHER), cluster_obj("ignored", UNWATCHED)]}))
    wait_cluster_ready(kube, OTHER, "team", 1)
    assert not get(kube, UNWATCHED, "runnelcluster", "ignored").get("status")
    assert not get(kube, UNWATCHED, "statefulsets")["items"]
    # Not the chart's: delete them before uninstalling, as NOTES.txt says.
    kube.kubectl("delete", "runnelcluster", "team", "-n", OTHER, "--wait")
    kube.kubectl("delete", "runnelcluster", "ignored", "-n", UNWATCHED, "--wait")


def test_uninstall_leaves_nothing_but_crds(kube, kube_helm, release):
    # The team cluster's PVC is not the chart's (deleteBrokerVolumes is for the chart's cluster).
    kube.kubectl("delete", "pvc", "--all", "-n", OTHER, "--wait=false")
    # cleanup.deleteBrokerVolumes is off here (the default): the broker's data claim is kept.
    pvc = f"{NS}/persistentvolumeclaim/data-{CLUSTER}-0"
    uninstall_and_check_clean(kube, kube_helm, RELEASE, [NS, OTHER], kept=[pvc])
    kube.kubectl("delete", "pvc", f"data-{CLUSTER}-0", "-n", NS, "--wait")
