"""runnel-operator as a local process outside the cluster (--kubeconfig), as a developer runs it,
and the small Kafka-side probes the operator tests check against (kcat metadata, DescribeConfigs).
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from kube_local import tail, wait_for

REPO = Path(__file__).resolve().parents[2]
CRDS = REPO / "operator" / "api" / "crds"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return 0, ""


class OperatorProcess:
    def __init__(self, binary, kubeconfig, directory, extra_args=()):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log_file = self.dir / "operator.log"
        self.metrics_port, self.health_port = free_port(), free_port()
        self.argv = [str(binary), "--kubeconfig", str(kubeconfig),
                     "--metrics-bind-address", f"127.0.0.1:{self.metrics_port}",
                     "--health-probe-bind-address", f"127.0.0.1:{self.health_port}",
                     "--leader-elect", "--leader-election-namespace", "default", *extra_args]
        self.proc = None

    def start(self):
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for(self.ready, 60, what="runnel-operator /readyz")

    def ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"runnel-operator exited {self.proc.returncode}\n"
                               + tail(self.log_file))
        return http_get(f"http://127.0.0.1:{self.health_port}/readyz")[0] == 200

    def metrics(self):
        status, text = http_get(f"http://127.0.0.1:{self.metrics_port}/metrics")
        assert status == 200, f"operator /metrics answered {status}"
        return text

    def stop(self, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def logs(self, lines=60):
        return tail(self.log_file, lines)


def restart_apiserver(kube, down_seconds=3.0):
    """Kills the kube-apiserver and starts it again with the same command line: every watch
    breaks, requests fail while it is down, and the watch cache restarts at etcd's revision."""
    pid_file = kube.dir / "pids" / "kube-apiserver.pid"
    pid = int(pid_file.read_text())
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    os.kill(pid, signal.SIGTERM)
    try:
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10, what="kube-apiserver exit")
    except TimeoutError:  # it drains long-running watches first; do what kube-local down does
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10, what="kube-apiserver killed")
    time.sleep(down_seconds)
    with open(kube.dir / "logs" / "kube-apiserver.log", "ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    pid_file.write_text(str(proc.pid))

    def healthy():
        r = subprocess.run([kube.kubectl_bin, "--kubeconfig", str(kube.kubeconfig), "get",
                            "--raw", "/readyz"], capture_output=True, timeout=10)
        return r.returncode == 0
    wait_for(healthy, 120, what="kube-apiserver ready after restart")


def kcat_topics(bootstrap):
    """{topic: partition count} as the broker reports it in Metadata."""
    r = subprocess.run(["kcat", "-b", bootstrap, "-L", "-J", "-m", "10"], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        return None
    meta = json.loads(r.stdout)
    return {t["topic"]: len(t["partitions"]) for t in meta["topics"]}


def topic_configs(bootstrap, topic):
    """{key: (value, source)} from DescribeConfigs, through librdkafka's admin client."""
    from confluent_kafka.admin import AdminClient, ConfigResource

    admin = AdminClient({"bootstrap.servers": bootstrap})
    res = ConfigResource(ConfigResource.Type.TOPIC, topic)
    entries = admin.describe_configs([res])[res].result(timeout=30)
    return {k: (e.value, e.source) for k, e in entries.items()}


def create_topic_out_of_band(bootstrap, topic, partitions, config=None):
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    fut = admin.create_topics([NewTopic(topic, partitions, 1, config=config or {})])[topic]
    fut.result(timeout=30)


@contextlib.contextmanager
def running(op):
    op.start()
    try:
        yield op
    finally:
        op.stop()
