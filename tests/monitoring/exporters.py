"""The processes whose /metrics the dashboards and rules read, as the live test starts them.

Each exporter owns a set of metric names (by prefix). The live test checks every metric name the
dashboards and rules reference against the scrape output of the exporter that owns it:

  - broker: always started (build/bin/runnel-broker or --broker-bin); the test fails, never
    skips, if it cannot run.
  - operator: started when its binary exists (build/bin/runnel-operator or --operator-bin) and
    a Kubernetes API is at hand, because its labelled series only appear once it reconciles:
    RUNNEL_MONITORING_KUBECONFIG if set, else a kube-local control plane started for the test
    when its binaries are already built (scripts/kube-local build), with the CRDs applied and a
    RunnelTopic to reconcile. Otherwise its names are checked against OPERATOR_METRICS (the
    operator's contract) only and the live operator check reports as skipped, with the reason.

HOOK: OperatorExporter.start() below; RUNNEL_MONITORING_OPERATOR_ARGS adds operator arguments.
"""

import hashlib
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from itest.broker import REPO, BrokerProcess, free_port  # noqa: E402

# The operator's metric contract (operator/kube/metrics.cc); histogram series are checked
# through their _bucket/_count/_sum names.
OPERATOR_METRICS = {
    "runnel_operator_reconcile_total",
    "runnel_operator_reconcile_errors_total",
    "runnel_operator_reconcile_duration_seconds_bucket",
    "runnel_operator_reconcile_duration_seconds_count",
    "runnel_operator_reconcile_duration_seconds_sum",
    "runnel_operator_workqueue_depth",
    "runnel_operator_leader",
    "runnel_operator_watch_restarts_total",
}

# Labelled operator series that only exist after their first event (a failed reconcile, a broken
# watch): a short live test cannot make them happen, and prometheus-cpp omits families without
# series from /metrics, so these would be checked against OPERATOR_METRICS only. Empty: the
# operator creates its series at zero when it registers a controller or starts a watch.
OPERATOR_SERIES_ON_FIRST_EVENT: set[str] = set()

# Metadata quorum series: only a node that runs a quorum member exports them, so the lone broker
# of test_live.py has none; test_quorum_live.py checks them on a three-voter quorum.
QUORUM_PREFIX = "runnel_quorum_"

# Series Prometheus makes itself for every target (not in any /metrics output).
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
             "scrape_series_added", "scrape_samples_post_metric_relabeling"}


@dataclass
class Exporter:
    job: str                      # Prometheus job name
    prefixes: tuple[str, ...]     # metric names this exporter owns
    target: str = ""              # host:port of /metrics once started
    skip_reason: str = ""         # set when it cannot run here (never for the broker)
    stop_hooks: list = field(default_factory=list)

    def owns(self, metric: str) -> bool:
        return metric.startswith(self.prefixes)

    def stop(self) -> None:
        for hook in reversed(self.stop_hooks):
            hook()


class BrokerExporter(Exporter):
    def __init__(self, binary: str):
        # Everything that is not the operator's: runnel_*, process_*.
        super().__init__("runnel-broker", ("runnel_", "process_"))
        self.binary = binary
        self.broker: BrokerProcess | None = None

    def owns(self, metric: str) -> bool:
        return super().owns(metric) and not metric.startswith("runnel_operator_")

    def start(self, workdir: Path) -> None:
        self.broker = BrokerProcess(workdir / "broker", self.binary, {
            "offsets.topic.replication.factor": "1", "num.partitions": "3",
            "group.initial.rebalance.delay.ms": "0"})
        self.broker.start()
        self.stop_hooks.append(self.broker.stop)
        self.target = f"127.0.0.1:{self.broker.admin_port}"


class OperatorExporter(Exporter):
    def __init__(self, binary: str):
        super().__init__("runnel-operator", ("runnel_operator_",))
        self.binary = binary
        self.proc: subprocess.Popen | None = None

    def start(self, workdir: Path) -> None:
        if not Path(self.binary).exists():
            self.skip_reason = f"no operator binary at {self.binary}"
            return
        kubeconfig = os.environ.get("RUNNEL_MONITORING_KUBECONFIG", "")
        kubectl = None
        if not kubeconfig:
            bindir = kube_local_bindir()
            if bindir is None:
                self.skip_reason = ("no Kubernetes API: set RUNNEL_MONITORING_KUBECONFIG, or build "
                                    "kube-local once (scripts/kube-local build)")
                return
            kubeconfig, kubectl = self._kube_local_up(workdir / "kube", bindir)
        port = free_port()
        log_path = workdir / "operator.log"
        with open(log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--kubeconfig", kubeconfig,
                 "--metrics-bind-address", f"127.0.0.1:{port}",
                 "--health-probe-bind-address", f"127.0.0.1:{free_port()}"]
                + shlex.split(os.environ.get("RUNNEL_MONITORING_OPERATOR_ARGS", "")),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.stop_hooks.append(self._terminate)
        self.target = f"127.0.0.1:{port}"
        if kubectl:
            # Something to reconcile: a topic of a cluster that does not exist (requeued).
            subprocess.run([kubectl, "--kubeconfig", kubeconfig, "apply", "-f", "-"],
                           input=TOPIC_MANIFEST, text=True, check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while "runnel_operator_reconcile_total{" not in self.scrape():
            assert self.proc.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "operator never reconciled\n" + log_path.read_text()[-3000:]
            time.sleep(0.5)

    def scrape(self) -> str:
        try:
            with urllib.request.urlopen(f"http://{self.target}/metrics", timeout=5) as r:
                return r.read().decode()
        except OSError:
            return ""

    def _kube_local_up(self, kdir: Path, bindir: Path) -> tuple[str, str]:
        script = REPO / "scripts" / "kube-local"
        subprocess.run([str(script), "up", str(kdir)], check=True, capture_output=True, timeout=180)
        self.stop_hooks.append(lambda: subprocess.run([str(script), "down", str(kdir)],
                                                      capture_output=True, timeout=120))
        kubeconfig, kubectl = str(kdir / "kubeconfig"), str(bindir / "kubectl")
        subprocess.run([kubectl, "--kubeconfig", kubeconfig, "apply", "-f",
                        str(REPO / "operator" / "api" / "crds")], check=True, capture_output=True)
        subprocess.run([kubectl, "--kubeconfig", kubeconfig, "wait", "--for=condition=Established",
                        "--timeout=60s", "crd/runneltopics.runnel.dev",
                        "crd/runnelclusters.runnel.dev"], check=True, capture_output=True)
        return kubeconfig, kubectl

    def _terminate(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


TOPIC_MANIFEST = """apiVersion: runnel.dev/v1alpha1
kind: RunnelTopic
metadata:
  name: monitoring-test
  namespace: default
spec:
  clusterRef: no-such-cluster
  partitions: 1
"""


def kube_local_bindir() -> Path | None:
    """kube-local's binary directory if already built (never builds: that takes tens of
    minutes). Mirrors the cache key of scripts/kube-local; a mismatch only means 'not built'."""
    mod = REPO / "scripts" / "kube-local.d"
    try:
        data = (mod / "go.mod").read_bytes() + (mod / "go.sum").read_bytes()
    except OSError:
        return None
    key = hashlib.sha256(data + b"-trimpath -ldflags=-s -w\n").hexdigest()[:16]
    m = re.search(r"^\s*k8s\.io/kubernetes\s+(\S+)", data.decode(errors="replace"), re.M)
    if not m:
        return None
    root = Path(os.environ.get("KUBE_LOCAL_CACHE", "/var/cache/runnel/kube"))
    bindir = root / f"{m.group(1)}-{key}"
    needed = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")
    return bindir if all((bindir / b).exists() for b in needed) else None


def default_binary(name: str) -> str:
    return str(REPO / "build" / "bin" / name)
