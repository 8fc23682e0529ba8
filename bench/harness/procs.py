"""Broker processes for the benchmark: start pinned, probe readiness, read /proc counters, kill."""
import json
import os
import shutil
import signal
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "bench")
LOADGEN = os.path.join(BENCH, "loadgen", "build", "runnel-bench")
BROKER_CORES = "0"
CLIENT_CORES = "1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def client(*args, timeout=300, check=True):
    """Runs runnel-bench pinned to the client core; returns its JSON output (or None)."""
    cmd = ["taskset", "-c", CLIENT_CORES, LOADGEN, *[str(a) for a in args]]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    out = None
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            out = json.loads(line)
    if out is None and check:
        raise RuntimeError(f"{' '.join(cmd)} failed rc={p.returncode}: {p.stderr[-800:]}")
    if out is not None:
        out["_rc"] = p.returncode
        out["_stderr"] = p.stderr[-400:]
    return out


class Broker:
    """One broker under test. Subclasses give the command line; everything else is shared."""

    system = "?"

    def __init__(self, workdir, port):
        self.dir = workdir
        self.port = port
        self.proc = None
        self.log = None
        self.deviations = []

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def command(self):
        raise NotImplementedError

    def start(self, fresh):
        if fresh and os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        os.makedirs(self.dir, exist_ok=True)
        self.log = open(os.path.join(self.dir, "broker.out"), "ab")
        t0 = time.time_ns()
        self.proc = subprocess.Popen(["taskset", "-c", BROKER_CORES, *self.command()], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        probe = client("probe", "--port", self.port, "--t0-ns", t0, "--timeout-s", 120, "--topic", "bench-probe")
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.system} exited with {self.proc.returncode}; see {self.dir}/broker.out")
        return probe

    @property
    def pid(self):
        # taskset execs the broker, and run-kafka.sh execs java, so the pid is the broker's.
        return self.proc.pid

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime

    def reset_peak_rss(self):
        """Restarts VmHWM at the current RSS (Linux clear_refs "5"), so that a case reports its own
        peak rather than the largest since the broker started. False when the kernel refuses."""
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as f:
                f.write("5\n")
            return True
        except OSError:
            return False

    def peak_rss_mb(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()
        self.log = None


class Runnel(Broker):
    system = "runnel"

    def __init__(self, workdir, port, binary):
        super().__init__(workdir, port)
        self.binary = binary
        self.overrides = {
            "listeners": f"PLAINTEXT://127.0.0.1:{port}",
            "log.dirs": os.path.join(workdir, "logs"),
            "node.id": "1",
            "runnel.admin.listeners": f"http://127.0.0.1:{port + 1}",
            "runnel.cores": "1",
            # The same single-node settings Kafka gets in bench/kafka/run-kafka.sh: with the default
            # replication factor 3 on one node, __consumer_offsets cannot be created and any client
            # that commits (EndToEndLatency) waits for a coordinator forever, on either broker.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        self.deviations = [f"{k}={v}" for k, v in self.overrides.items() if k not in ("log.dirs",)]

    def command(self):
        cmd = [self.binary]
        for k, v in self.overrides.items():
            cmd += ["--override", f"{k}={v}"]
        return cmd


class Kafka(Broker):
    system = "kafka"

    def __init__(self, workdir, port):
        super().__init__(workdir, port)
        self.deviations = [
            "KRaft combined mode, one node, loopback listeners (bench/kafka/run-kafka.sh)",
            "heap -Xms256m -Xmx1g (kafka-server-start.sh uses -Xmx1G -Xms1G), G1GC",
            "replication factors of internal topics = 1, group.initial.rebalance.delay.ms=0",
        ]

    def command(self):
        return ["bash", os.path.join(BENCH, "kafka", "run-kafka.sh"), self.dir, str(self.port), str(self.port + 1)]


def kafka_version():
    lib = os.path.join(BENCH, "kafka", "target", "lib")
    for name in sorted(os.listdir(lib)) if os.path.isdir(lib) else []:
        if name.startswith("kafka_2.13-"):
            return name[len("kafka_2.13-"):-len(".jar")]
    return "?"
