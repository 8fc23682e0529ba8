"""A plain StatefulSet of two runnel brokers on the real control plane, run by the node agent:
the scheduler binds the pods, the agent runs them on their own 127.0.x.y, readiness comes from
the broker's /readyz, and a deleted pod comes back with its PVC data."""

import base64
import json
import subprocess

import pytest

from kube_local import wait_for
from kube_client import Kube

NAME = "runnel"
TOPIC = "e2e-survives"


def manifests():
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{NAME}-config"},
              "data": {"server.properties": "num.partitions=1\nauto.create.topics.enable=true\n"}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": NAME},
               "spec": {"clusterIP": "None", "selector": {"app": NAME},
                        "ports": [{"name": "kafka", "port": 9092}]}}
    args = ["--config", "/etc/runnel/server.properties",
            "--override", "listeners=PLAINTEXT://$(POD_IP):9092",
            "--override", "runnel.admin.listeners=http://$(POD_IP):9644",
            "--override", "log.dirs=/var/lib/runnel",
            "--override", "node.id=$(NODE_ID)"]
    field = lambda name, path: {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}  # noqa: E731
    container = {
        "name": "broker", "image": "runnel:dev", "args": args,
        "env": [field("POD_IP", "status.podIP"),
                field("NODE_ID", "metadata.labels['apps.kubernetes.io/pod-index']"),
                field("POD_NAME", "metadata.name")],
        "ports": [{"name": "kafka", "containerPort": 9092}, {"name": "admin", "containerPort": 9644}],
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "admin"}, "periodSeconds": 1},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 9644}, "periodSeconds": 5,
                          "initialDelaySeconds": 5},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}},
        "volumeMounts": [{"name": "data", "mountPath": "/var/lib/runnel"},
                         {"name": "config", "mountPath": "/etc/runnel"}]}
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": NAME},
           "spec": {"replicas": 2, "serviceName": NAME, "podManagementPolicy": "Parallel",
                    "selector": {"matchLabels": {"app": NAME}},
                    "template": {"metadata": {"labels": {"app": NAME}},
                                 "spec": {"terminationGracePeriodSeconds": 10,
                                          "containers": [container],
                                          "volumes": [{"name": "config", "configMap": {
                                              "name": f"{NAME}-config"}}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}}}}]}}
    return config, service, sts


def kcat(*args, stdin=None):
    r = subprocess.run(["kcat", *args], input=stdin, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"kcat {args}: {r.stderr}"
    return r.stdout


def ready_pod(kube, name):
    pod = kube.get("pod", name, check=False)
    if not pod or pod["metadata"].get("deletionTimestamp"):
        return None
    conds = {c["type"]: c["status"] for c in pod["status"].get("conditions", [])}
    return pod if conds.get("Ready") == "True" and pod["status"].get("podIP") else None


@pytest.fixture(scope="module")
def brokers(kube, node_agent):
    kube.apply(*manifests())
    pods = [wait_for(lambda n=n: ready_pod(kube, n), 180, what=f"pod {n} Ready")
            for n in (f"{NAME}-0", f"{NAME}-1")]
    yield pods
    kube.kubectl("delete", "statefulset", NAME, "--wait=false", check=False)


def test_pods_ready_on_distinct_loopback_ips(brokers, node_agent):
    ips = [p["status"]["podIP"] for p in brokers]
    assert len(set(ips)) == 2
    for pod, ip in zip(brokers, ips):
        assert ip.startswith("127.") and ip != "127.0.0.1"
        assert pod["spec"]["nodeName"] == node_agent.node_name  # bound by the real scheduler
        assert pod["status"]["podIPs"] == [{"ip": ip}]
        cs = pod["status"]["containerStatuses"][0]
        assert cs["ready"] and cs["started"] and "running" in cs["state"]
        assert pod["status"]["phase"] == "Running"


def test_kcat_sees_each_broker(brokers):
    for i, pod in enumerate(brokers):
        ip = pod["status"]["podIP"]
        out = kcat("-b", f"{ip}:9092", "-L")
        # node.id came from the pod-index label through fieldRef; the listener from $(POD_IP).
        assert f"broker {i} at {ip}:9092" in out, out


def test_pvcs_bound(kube, brokers):
    for i in range(2):
        pvc = kube.get("pvc", f"data-{NAME}-{i}")
        assert pvc["status"]["phase"] == "Bound"


def test_service_account_token_works(kube, node_agent, brokers):
    """The projected kube-api-access volume holds a real TokenRequest token."""
    pod = brokers[0]
    sa_dir = next((node_agent.dir / "pods").glob(f"default_{pod['metadata']['name']}_*")) / \
        "root/var/run/secrets/kubernetes.io/serviceaccount"
    token = (sa_dir / "token").read_text()
    assert (sa_dir / "namespace").read_text() == "default"
    assert "BEGIN CERTIFICATE" in (sa_dir / "ca.crt").read_text()
    cfg = json.loads(kube.kubeconfig.read_text())
    cfg["users"][0]["user"] = {"token": token}
    path = kube.dir / "token.kubeconfig"
    path.write_text(json.dumps(cfg))
    review = Kube(path).post("/apis/authentication.k8s.io/v1/selfsubjectreviews", {
        "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    assert review["status"]["userInfo"]["username"] == "system:serviceaccount:default:default"
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["kubernetes.io"]["pod"]["name"] == pod["metadata"]["name"]


def test_deleted_pod_is_recreated_with_its_data(kube, node_agent, brokers):
    old = brokers[0]
    ip = old["status"]["podIP"]
    kcat("-P", "-b", f"{ip}:9092", "-t", TOPIC, "-X", "acks=all", stdin="kept-across-restart\n")
    kube.kubectl("delete", "pod", old["metadata"]["name"], "--wait=false")
    new = wait_for(lambda: (p := ready_pod(kube, old["metadata"]["name"])) and
                   p["metadata"]["uid"] != old["metadata"]["uid"] and p, 120,
                   what="recreated pod Ready")
    new_ip = new["status"]["podIP"]
    out = kcat("-C", "-b", f"{new_ip}:9092", "-t", TOPIC, "-o", "beginning", "-e", "-q")
    assert out.splitlines() == ["kept-across-restart"]
    # Both incarnations logged to the same file (keyed by namespace, pod and container name).
    log = node_agent.pod_log(old["metadata"]["name"], "broker", lines=100000)
    assert log.count(" start #0: ") >= 2
