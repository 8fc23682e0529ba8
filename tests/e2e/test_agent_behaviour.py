"""The node agent's kubelet behaviour on the real control plane, with plain host commands as
containers (an image that is not mapped runs its `command` as is): exit codes and phases,
restarts with backoff, liveness restarts, graceful deletion, downward API and env."""

import uuid

import pytest

from kube_local import wait_for


def pod(name, command, restart="Always", **container):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"t": name}},
            "spec": {"restartPolicy": restart, "terminationGracePeriodSeconds": 5,
                     "containers": [{"name": "c", "image": "busybox:1", "command": command,
                                     **container}]}}


@pytest.fixture
def name(kube, node_agent):
    n = "p-" + uuid.uuid4().hex[:8]
    yield n
    kube.kubectl("delete", "pod", n, "--wait=false", "--ignore-not-found", check=False)


def status(kube, name):
    return kube.get("pod", name)["status"]


def test_exit_code_and_failed_phase(kube, name):
    kube.apply(pod(name, ["sh", "-c", "exit 3"], restart="Never"))
    st = wait_for(lambda: (s := status(kube, name))["phase"] == "Failed" and s, 60)
    term = st["containerStatuses"][0]["state"]["terminated"]
    assert term["exitCode"] == 3 and term["reason"] == "Error"


def test_succeeded_phase(kube, name):
    kube.apply(pod(name, ["true"], restart="OnFailure"))
    wait_for(lambda: status(kube, name)["phase"] == "Succeeded", 60)


def test_crash_restarts_with_backoff(kube, name):
    kube.apply(pod(name, ["sh", "-c", "exit 1"]))
    st = wait_for(lambda: (s := status(kube, name))["containerStatuses"][0]["restartCount"] >= 2
                  and s, 60)
    cs = st["containerStatuses"][0]
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert not cs["ready"]
    # Backoff doubles (1 s, 2 s, 4 s ...): about 3 restarts in 6 s, not dozens.
    assert cs["restartCount"] < 6


def test_liveness_failure_restarts(kube, name):
    kube.apply(pod(name, ["sleep", "3600"], livenessProbe={
        "tcpSocket": {"port": 1}, "periodSeconds": 1, "failureThreshold": 2}))
    st = wait_for(lambda: (s := status(kube, name))["containerStatuses"][0]["restartCount"] >= 1
                  and s, 60)
    assert st["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 143  # SIGTERM


def test_exec_readiness_sees_mounted_paths(kube, name):
    p = pod(name, ["sh", "-c", "sleep 2; touch /ready/now; exec sleep 3600"],
            readinessProbe={"exec": {"command": ["test", "-f", "/ready/now"]},
                            "periodSeconds": 1},
            volumeMounts=[{"name": "r", "mountPath": "/ready"}])
    p["spec"]["volumes"] = [{"name": "r", "emptyDir": {}}]
    kube.apply(p)
    wait_for(lambda: status(kube, name)["containerStatuses"][0]["ready"], 60)


def test_graceful_deletion_sends_sigterm(kube, node_agent, name):
    script = "trap 'echo got-TERM; exit 0' TERM; while :; do sleep 0.2; done"
    kube.apply(pod(name, ["sh", "-c", script]))
    wait_for(lambda: status(kube, name)["phase"] == "Running", 60)
    kube.kubectl("delete", "pod", name, "--wait=false")
    # The agent deletes the object (grace 0) as soon as the process has exited.
    wait_for(lambda: kube.get("pod", name, check=False) is None, 20, what="pod object gone")
    assert "got-TERM" in node_agent.pod_log(name, "c")


def test_env_and_downward_api(kube, node_agent, name):
    p = pod(name, ["sh", "-c", "echo ns=$MY_NS sa=$SA mem=$MEM_MI x=$(X); "
                   "cat /info/labels; echo; exec sleep 3600"],
            env=[{"name": "MY_NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                 {"name": "SA", "valueFrom": {"fieldRef": {
                     "fieldPath": "spec.serviceAccountName"}}},
                 {"name": "MEM_MI", "valueFrom": {"resourceFieldRef": {
                     "resource": "limits.memory", "divisor": "1Mi"}}},
                 {"name": "X", "value": "$(MY_NS)-x"}],
            resources={"limits": {"memory": "128Mi", "cpu": "1"}},
            volumeMounts=[{"name": "info", "mountPath": "/info"}])
    p["spec"]["volumes"] = [{"name": "info", "downwardAPI": {"items": [
        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}]
    kube.apply(p)
    wait_for(lambda: status(kube, name)["phase"] == "Running", 60)
    log = wait_for(lambda: (t := node_agent.pod_log(name, "c")) and "t=" in t and t, 20)
    assert "ns=default sa=default mem=128 x=default-x" in log
    assert f't="{name}"' in log
