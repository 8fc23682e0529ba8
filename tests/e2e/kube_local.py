"""Test-side handles on a kube-local cluster and its node agent, plus wait_for.

Used by conftest.py; usable from any script too:
    with KubeCluster.up(dir) as kube, NodeAgent(kube, dir / "agent", images).running() as agent:
        kube.kubectl("get", "pods")
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
KUBE_LOCAL = REPO / "scripts" / "kube-local"


def wait_for(condition, timeout=60.0, interval=0.5, what=None):
    """Polls condition() until it returns a truthy value (returned). Exceptions count as 'not
    yet'; on timeout raises TimeoutError with the last exception or value."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = condition()
            if value:
                return value
            last = value
        except Exception as e:  # noqa: BLE001
            last = e
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for "
                               f"{what or getattr(condition, '__name__', 'condition')}: {last!r}")
        time.sleep(interval)


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"({e})\n"


class KubeCluster:
    def __init__(self, directory):
        self.dir = Path(directory)
        self.kubeconfig = self.dir / "kubeconfig"
        env = {}
        for line in (self.dir / "env").read_text().splitlines():
            k, _, v = line.removeprefix("export ").partition("=")
            env[k] = v
        self.kubectl_bin = env["KUBECTL"]

    @classmethod
    @contextlib.contextmanager
    def up(cls, directory):
        directory = Path(directory)
        subprocess.run([str(KUBE_LOCAL), "up", str(directory)], check=True)
        try:
            yield cls(directory)
        finally:
            subprocess.run([str(KUBE_LOCAL), "down", str(directory)], check=False)

    def pids(self):
        """Control-plane processes still alive."""
        alive = []
        for f in (self.dir / "pids").glob("*.pid"):
            pid = int(f.read_text())
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 0)
                alive.append(pid)
        return alive

    def kubectl(self, *args, input=None, check=True, timeout=60):
        r = subprocess.run([self.kubectl_bin, "--kubeconfig", str(self.kubeconfig), *args],
                           input=input, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
        return r.stdout

    def apply(self, *objects, namespace="default"):
        """kubectl apply of dicts (JSON is YAML)."""
        doc = {"apiVersion": "v1", "kind": "List", "items": list(objects)}
        return self.kubectl("apply", "-n", namespace, "-f", "-", input=json.dumps(doc))

    def get(self, kind, name=None, namespace="default", check=True):
        args = ["get", kind] + ([name] if name else []) + ["-n", namespace, "-o", "json"]
        out = self.kubectl(*args, check=check)
        return json.loads(out) if out.strip() else None

    def logs(self, lines=30):
        return "".join(f"==> {f} <==\n{tail(f, lines)}"
                       for f in sorted((self.dir / "logs").glob("*.log")))


class NodeAgent:
    """tests/e2e/node_agent.py as a subprocess."""

    def __init__(self, cluster, directory, images, node_name="kube-local-node",
                 pod_subnet="127.0.10"):
        self.cluster, self.dir = cluster, Path(directory)
        self.node_name = node_name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log_file = self.dir / "agent.log"
        self.argv = [sys.executable, str(HERE / "node_agent.py"), "--kubeconfig",
                     str(cluster.kubeconfig), "--dir", str(self.dir), "--node-name", node_name,
                     "--pod-subnet", pod_subnet]
        for image, binary in images.items():
            self.argv += ["--image", f"{image}={binary}"]
        self.proc = None

    def start(self):
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for(self.node_ready, 60, what=f"node {self.node_name} Ready and untainted")

    def node_ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"node agent exited {self.proc.returncode}\n" + tail(self.log_file))
        node = self.cluster.get("node", self.node_name, check=False)
        if not node:
            return False
        ready = any(c["type"] == "Ready" and c["status"] == "True"
                    for c in node["status"].get("conditions", []))
        return ready and not node["spec"].get("taints")

    def stop(self, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    @contextlib.contextmanager
    def running(self):
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def pod_log(self, pod, container, namespace="default", lines=40):
        return tail(self.dir / "logs" / f"{namespace}_{pod}_{container}.log", lines)

    def logs(self, lines=30):
        files = [self.log_file] + sorted((self.dir / "logs").glob("*.log"))
        return "".join(f"==> {f} <==\n{tail(f, lines)}" for f in files)
