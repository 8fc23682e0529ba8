"""Two runnel-operator replicas against one real API server: exactly one leads (holds the Lease
and reconciles), and when it is killed the other takes over and reconciles what changed."""

import os
import signal

import pytest

from kube_local import wait_for
from operator_process import CRDS, OperatorProcess


def leader_gauge(op):
    for line in op.metrics().splitlines():
        if line.startswith("runnel_operator_leader "):
            return float(line.split()[1])
    return None


def reason(kube, name):
    t = kube.get("runneltopic", name, check=False) or {}
    for c in t.get("status", {}).get("conditions", []):
        if c["type"] == "Ready":
            return c.get("reason")
    return None


def orphan(name):
    return {"apiVersion": "runnel.dev/v1alpha1", "kind": "RunnelTopic", "metadata": {"name": name},
            "spec": {"clusterRef": "absent", "partitions": 1, "replicationFactor": 1}}


@pytest.fixture
def replicas(kube, request, tmp_path):
    kube.kubectl("apply", "--server-side", "-f", str(CRDS))
    for f in sorted(CRDS.glob("*.yaml")):
        kube.kubectl("wait", "--for", "condition=Established", "--timeout=60s", "-f", str(f))
    binary = request.config.getoption("--operator-bin")
    ops = [OperatorProcess(binary, kube.kubeconfig, tmp_path / f"op{i}") for i in range(2)]
    for op in ops:
        op.start()
    yield ops
    for op in ops:
        op.stop()


def test_one_leader_and_failover(kube, replicas):
    def one_leader():
        return sorted(leader_gauge(op) for op in replicas) == [0.0, 1.0]
    wait_for(one_leader, 60, what="exactly one leading replica")
    leader = next(op for op in replicas if leader_gauge(op) == 1.0)
    standby = next(op for op in replicas if op is not leader)

    lease = kube.get("lease", "runnel-operator")
    assert lease["spec"]["holderIdentity"], lease
    kube.apply(orphan("before-failover"))
    wait_for(lambda: reason(kube, "before-failover") == "ClusterNotFound", 60,
             what="the leader reconciles")

    # A crash, not a graceful stop: the lease is not released and must expire.
    os.kill(leader.proc.pid, signal.SIGKILL)
    leader.proc.wait()
    wait_for(lambda: leader_gauge(standby) == 1.0, 60, what="the standby takes the lease")
    assert kube.get("lease", "runnel-operator")["spec"]["holderIdentity"] != \
        lease["spec"]["holderIdentity"]
    kube.apply(orphan("after-failover"))
    wait_for(lambda: reason(kube, "after-failover") == "ClusterNotFound", 60,
             what="the new leader reconciles")
