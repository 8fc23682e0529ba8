"""A real `helm install` of charts/runnel/ci/with-cluster-and-topics-values.yaml on kube-local:
the node agent runs the operator pod (image runnel:dev, command runnel-operator, in-cluster
config from its projected token), the operator creates the brokers from the chart's
RunnelCluster and the topics from its RunnelTopics; then `helm test` and `helm uninstall`.

Under the node agent there is no Service DNS or kube-proxy: clients reach brokers by pod IP
(status.brokers[].address), so the helm test's bootstrap is set to one with `helm upgrade`.
The tests run in file order and share one release, as a user's session would.
"""

import subprocess
import time

import pytest

from helm_cli import CHART
from install_checks import (brokers, get, install, is_ready, topics_by_broker,
                            uninstall_and_check_clean, wait_cluster_ready, wait_topic_ready)
from kube_local import wait_for

NS = "runnel-helm"
RELEASE = "demo"
CLUSTER = "demo-runnel"
VALUES = CHART / "ci" / "with-cluster-and-topics-values.yaml"
TIMINGS = {}


@pytest.fixture(scope="module")
def release(kube, kube_helm, node_agent):
    start = time.monotonic()
    r = install(kube_helm, RELEASE, NS, VALUES)
    TIMINGS["install --wait (operator Ready)"] = time.monotonic() - start
    yield r.stdout
    print("timings (s): " + ", ".join(f"{k}: {v:.1f}" for k, v in TIMINGS.items()))


def test_operator_runs_in_cluster(kube, release):
    assert "bootstrap.servers=demo-runnel-bootstrap.runnel-helm.svc:9092" in release  # NOTES
    assert "kind: RunnelTopic" in release
    pods = get(kube, NS, "pods")["items"]
    op = [p for p in pods
          if p["metadata"]["labels"].get("app.kubernetes.io/name") == "runnel-operator"]
    assert len(op) == 1 and is_ready(op[0])
    # It authenticated as its own ServiceAccount and won the Lease.
    lease = wait_for(lambda: get(kube, NS, "lease", "runnel-operator"), 60, what="operator lease")
    assert lease["spec"]["holderIdentity"] == op[0]["metadata"]["name"]


def test_cluster_becomes_ready(kube, release):
    start = time.monotonic()
    wait_cluster_ready(kube, NS, CLUSTER, 3)
    TIMINGS["cluster Ready (3 brokers)"] = time.monotonic() - start
    assert len(brokers(kube, NS, CLUSTER)) == 3


def test_topics_exist_in_the_broker(kube, release):
    start = time.monotonic()
    for name in ("orders", "audit-log"):
        wait_topic_ready(kube, NS, name)
    TIMINGS["topics Ready"] = time.monotonic() - start
    seen = {}
    for meta in topics_by_broker(kube, NS, CLUSTER).values():
        seen.update(meta)
    assert seen.get("orders") == 3 and seen.get("audit_log") == 1, seen


def test_helm_test_produces_and_consumes(kube, kube_helm, release):
    # No Service DNS under the node agent: point the test at the pod IP of a broker that holds
    # the test topic (the chart's first topic, orders).
    holder = next(b for b, meta in topics_by_broker(kube, NS, CLUSTER).items() if "orders" in meta)
    kube_helm.run("upgrade", RELEASE, CHART, "--namespace", NS, "--reuse-values",
                  "--set", f"tests.bootstrap={holder}", "--wait", "--timeout", "3m")
    start = time.monotonic()
    r = kube_helm.run("test", RELEASE, "--namespace", NS, "--timeout", "3m", check=False)
    TIMINGS["helm test"] = time.monotonic() - start
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Succeeded" in r.stdout, r.stdout
    # The record is really there: read it back from outside the cluster too.
    out = subprocess.run(["kcat", "-b", holder, "-C", "-t", "orders", "-o", "beginning", "-e",
                          "-q", "-m", "10"], capture_output=True, text=True, timeout=60).stdout
    assert "helm-test-" in out, out


def test_uninstall_leaves_nothing_but_crds(kube, kube_helm, release):
    start = time.monotonic()
    uninstall_and_check_clean(kube, kube_helm, RELEASE, [NS])
    TIMINGS["uninstall + namespace empty"] = time.monotonic() - start
