"""Checks shared by the install tests: resource status, broker metadata, leftovers."""

import json
import subprocess

import pytest

from conftest import IMAGE_REPOSITORY, IMAGE_TAG
from helm_cli import CHART
from kube_local import wait_for


def install(kube_helm, release, ns, values, *extra):
    return kube_helm.run("install", release, CHART, "--namespace", ns, "--create-namespace",
                         "-f", values, "--set", f"image.repository={IMAGE_REPOSITORY}",
                         "--set", f"image.tag={IMAGE_TAG}", "--set", "image.pullPolicy=Never",
                         *extra, "--wait", "--timeout", "5m")


def get(kube, ns, kind, name=None):
    return kube.get(kind, name, namespace=ns, check=False)


def condition(obj, ctype):
    for c in (obj or {}).get("status", {}).get("conditions", []):
        if c["type"] == ctype:
            return c
    return {}


def is_ready(obj):
    return condition(obj, "Ready").get("status") == "True"


def brokers(kube, ns, cluster):
    c = get(kube, ns, "runnelcluster", cluster)
    return [b["address"] for b in c["status"].get("brokers", []) if b.get("ready")]


def kcat_metadata(bootstrap):
    r = subprocess.run(["kcat", "-b", bootstrap, "-L", "-J", "-m", "10"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return {t["topic"]: len(t["partitions"]) for t in json.loads(r.stdout)["topics"]}


def topics_by_broker(kube, ns, cluster):
    """{broker address: {topic: partitions}}. Brokers of one RunnelCluster do not share metadata
    yet (no controller quorum), so each is asked."""
    return {b: kcat_metadata(b) for b in brokers(kube, ns, cluster)}


def wait_cluster_ready(kube, ns, cluster, replicas, timeout=300):
    def ready():
        c = get(kube, ns, "runnelcluster", cluster)
        return c and c["status"].get("readyBrokers") == replicas and is_ready(c)
    wait_for(ready, timeout, interval=2, what=f"RunnelCluster {cluster} Ready with {replicas}")


def wait_topic_ready(kube, ns, name, timeout=180):
    # The operator retries a failed create on its 60 s resync: allow more than one round.
    wait_for(lambda: is_ready(get(kube, ns, "runneltopic", name)), timeout, interval=2,
             what=f"RunnelTopic {name} Ready")


# Events expire by themselves; the namespace's own ServiceAccount and CA ConfigMap come with it.
IGNORED_KINDS = {"events", "events.events.k8s.io"}
IGNORED_OBJECTS = {"serviceaccount/default", "configmap/kube-root-ca.crt"}


def namespaced_leftovers(kube, namespaces):
    kinds = kube.kubectl("api-resources", "--verbs=list", "--namespaced", "-o", "name").split()
    found = []
    for ns in namespaces:
        for kind in kinds:
            if kind in IGNORED_KINDS:
                continue
            out = kube.kubectl("get", kind, "-n", ns, "-o", "name", "--ignore-not-found",
                               check=False)
            found += [f"{ns}/{n}" for n in out.split() if n not in IGNORED_OBJECTS]
    return found


def uninstall_and_check_clean(kube, kube_helm, release, namespaces, kept=()):
    """helm uninstall --wait, then: nothing left in `namespaces` (every listable kind but
    events) except the `kept` names ("ns/kind/name"), no ClusterRole/ClusterRoleBinding of the
    release, the CRDs still there but empty. PersistentVolumes are the node agent's (a real
    cluster's provisioner), not the chart's."""
    r = kube_helm.run("uninstall", release, "--namespace", namespaces[0], "--wait",
                      "--timeout", "5m", check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    try:  # the RunnelCluster's children go through the garbage collector
        wait_for(lambda: sorted(namespaced_leftovers(kube, namespaces)) == sorted(kept), 120,
                 interval=2, what="namespaces emptied")
    except TimeoutError:
        pytest.fail(f"left behind: {namespaced_leftovers(kube, namespaces)}, expected {kept}")
    for kind in ("clusterroles", "clusterrolebindings"):
        out = kube.kubectl("get", kind, "-l", f"app.kubernetes.io/instance={release}", "-o", "name")
        assert not out.strip(), out
    for crd in ("runnelclusters.runnel.dev", "runneltopics.runnel.dev"):
        kube.kubectl("get", "crd", crd)  # Helm never deletes crds/
    assert not kube.kubectl("get", "runnelclusters,runneltopics", "-A", "-o", "name").strip()
    assert kube_helm.run("status", release, "--namespace", namespaces[0],
                         check=False).returncode != 0
