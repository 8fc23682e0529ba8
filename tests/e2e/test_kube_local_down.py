"""`kube-local down` plus stopping the node agent leave no process behind: neither the control
plane nor a pod's process. Uses its own cluster (not the session one) so it can take it down."""

import os
from pathlib import Path

from kube_local import KubeCluster, NodeAgent, wait_for


def processes_mentioning(text):
    """PIDs whose command line contains text (every component's and pod's argv names its dir)."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                if text.encode() in (d / "cmdline").read_bytes():
                    found.append(int(d.name))
            except OSError:
                pass
    return found


def test_down_leaves_no_processes(tmp_path, request):
    cluster_dir = tmp_path / "cluster"
    images = {"runnel": request.config.getoption("--broker-bin")}
    with KubeCluster.up(cluster_dir) as kube:
        assert len(kube.pids()) == 4
        agent = NodeAgent(kube, cluster_dir / "agent", images, pod_subnet="127.0.11")
        with agent.running():
            kube.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "solo"},
                        "spec": {"containers": [{
                            "name": "broker", "image": "runnel:dev",
                            "args": ["--override", "listeners=PLAINTEXT://$(POD_IP):9092",
                                     "--override", "runnel.admin.listeners=http://$(POD_IP):9644",
                                     "--override", "log.dirs=/data"],
                            "env": [{"name": "POD_IP", "valueFrom": {
                                "fieldRef": {"fieldPath": "status.podIP"}}}],
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                            "volumes": [{"name": "data", "emptyDir": {}}]}})
            wait_for(lambda: kube.get("pod", "solo")["status"].get("phase") == "Running", 120,
                     what="pod solo Running")
            assert processes_mentioning(str(cluster_dir / "agent" / "pods"))
    assert kube.pids() == []
    assert processes_mentioning(str(cluster_dir)) == []
