"""A multi-node Runnel cluster of real processes, each node on its own loopback address, and the
tools to watch its KRaft quorum: Kafka's own MetadataQuorumCommand and DumpLogSegments (from
bench/kafka/target/lib), a raw DescribeQuorum client for fast polls, and a parser for the v2
record batches of a node's `__cluster_metadata-0` segment.

Node N (1-based) listens on 127.0.0.N (Linux routes all of 127/8 to lo), with free ports
picked on that address, its own data directory and `runnel.cores=1`, and is started as
    runnel-broker --override process.roles=broker,controller --override node.id=N
        --override listeners=PLAINTEXT://127.0.0.N:P,CONTROLLER://127.0.0.N:C
        --override advertised.listeners=PLAINTEXT://127.0.0.N:P
        --override controller.listener.names=CONTROLLER
        --override listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
        --override inter.broker.listener.name=PLAINTEXT
        --override controller.quorum.voters=1@127.0.0.1:C1,2@127.0.0.2:C2,...
        --override log.dirs=DIR/logs --override runnel.admin.listeners=http://127.0.0.N:A
        --override runnel.cores=1 [--override key=value ...]
after `runnel-broker format -t <cluster id> -c DIR/server.properties` (the same settings as a
properties file). Each node's output goes to DIR.log; log_tail() shows it.
"""

import json
import os
import re
import signal
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .broker import REPO, BrokerProcess
from .kip848_wire import Flex, carr, cstr
from .record_batch import crc32c
from .wire import Connection, frame, i32, request_header

KAFKA_LIB = REPO / "bench" / "kafka" / "target" / "lib"
METADATA_TOPIC = "__cluster_metadata"
SEGMENT = f"{METADATA_TOPIC}-0/00000000000000000000.log"


def free_port(host: str) -> int:
    """A port nothing listens on at `host` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def loopback_usable(host: str) -> bool:
    try:
        free_port(host)
        return True
    except OSError:
        return False


def run_storage(binary: str, *args: str, timeout: float = 30) -> tuple[int, str]:
    p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout + p.stderr


def random_uuid(binary: str) -> str:
    code, out = run_storage(binary, "random-uuid")
    assert code == 0, out
    return out.strip()


class ClusterNode(BrokerProcess):
    """One node: BrokerProcess's start/stop/kill9/restart/log_tail on this node's own address,
    ports and settings. stop() and kill9() keep the addresses and the directory, so start()
    brings the same node back."""

    def __init__(self, cluster: "RunnelCluster", node_id: int):
        super().__init__(cluster.base / f"node{node_id}", cluster.binary)
        self.cluster = cluster
        self.node_id = node_id
        self.port = free_port(self.host)
        self.controller_port = free_port(self.host)
        self.admin_port = free_port(self.host)
        self.expect_exit = False  # a node allowed to exit by itself (one that refuses to start)

    @property
    def host(self) -> str:
        return f"127.0.0.{self.node_id}"

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def bootstrap_controller(self) -> str:
        return f"{self.host}:{self.controller_port}"

    @property
    def admin_url(self) -> str:
        return f"http://{self.host}:{self.admin_port}"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def segment(self) -> Path:
        """The node's metadata log segment (metadata.log.dir is the first log dir)."""
        return self.log_dir / SEGMENT

    @property
    def quorum_state_path(self) -> Path:
        return self.log_dir / f"{METADATA_TOPIC}-0" / "quorum-state"

    def settings(self) -> dict[str, str]:
        s = {
            "process.roles": "broker,controller",
            "node.id": str(self.node_id),
            "listeners": f"PLAINTEXT://{self.host}:{self.port},CONTROLLER://{self.host}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{self.host}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.quorum.voters": self.cluster.voters,
            "log.dirs": str(self.log_dir),
            "runnel.admin.listeners": self.admin_url,
            "runnel.cores": "1",
        }
        s.update(self.cluster.overrides)
        s.update(self.overrides)
        return s

    def properties_file(self) -> Path:
        path = self.data_dir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in self.settings().items()))
        return path

    def format(self, cluster_id: str | None = None) -> str:
        """runnel-broker format -t <id> -c <properties>; returns its output."""
        cid = cluster_id or self.cluster.cluster_id
        code, out = run_storage(self.cluster.binary, "format", "-t", cid, "-c", str(self.properties_file()))
        assert code == 0, f"format of node {self.node_id} failed ({code}): {out}"
        return out

    def command(self) -> list[str]:
        cmd = [self.cluster.binary]
        for k, v in self.settings().items():
            cmd += ["--override", f"{k}={v}"]
        return cmd

    def launch(self) -> None:
        """Starts the process without waiting for it: a cluster node opens its client listener
        only once the quorum has a leader that has unfenced it, so nodes start together."""
        assert self.proc is None, f"node {self.node_id} already running"
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

    def start(self, timeout: float = 60.0) -> None:
        """launch() and wait until the PLAINTEXT listener answers ApiVersions (BrokerProcess's
        readiness: for a cluster node, once it is unfenced)."""
        self.launch()
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop(timeout=5)
            raise

    def sigterm(self) -> None:
        """Sends SIGTERM and returns at once; wait_exit() collects the process."""
        assert self.proc is not None, f"node {self.node_id} is not running"
        os.killpg(self.proc.pid, signal.SIGTERM)

    def wait_exit(self, timeout: float = 20.0) -> int | None:
        """Waits for a signalled node to exit (SIGKILL after `timeout`); its exit code."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        return proc.returncode

    def quorum_state(self) -> dict | None:
        """The node's quorum-state file (Kafka's JSON), or None if it has none (yet)."""
        try:
            return json.loads(self.quorum_state_path.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 25) -> str:
        return f"[node {self.node_id} at {self.host}] " + super().log_tail(lines)


class RunnelCluster:
    """n combined broker+controller nodes forming one static KRaft quorum (node ids 1..n)."""

    def __init__(self, base: Path, binary: str, n: int = 3, overrides: dict[str, str] | None = None):
        if not binary or not Path(binary).exists():
            raise FileNotFoundError(f"broker binary not found: {binary!r} (pass --broker-bin)")
        self.base = Path(base)
        self.base.mkdir(parents=True, exist_ok=True)
        self.binary = binary
        self.overrides = dict(overrides or {})
        for i in range(1, n + 1):
            if not loopback_usable(f"127.0.0.{i}"):
                raise OSError(f"cannot bind 127.0.0.{i}: this test needs the whole 127/8 on lo")
        self.nodes = {i: ClusterNode(self, i) for i in range(1, n + 1)}
        self.cluster_id = random_uuid(binary)

    def __getitem__(self, node_id: int) -> ClusterNode:
        return self.nodes[node_id]

    @property
    def ids(self) -> list[int]:
        return sorted(self.nodes)

    @property
    def voters(self) -> str:
        """controller.quorum.voters: 1@127.0.0.1:C1,2@127.0.0.2:C2,..."""
        return ",".join(f"{n.node_id}@{n.host}:{n.controller_port}" for n in self.nodes.values())

    @property
    def bootstrap(self) -> str:
        return ",".join(n.bootstrap for n in self.nodes.values())

    @property
    def bootstrap_controllers(self) -> str:
        return ",".join(n.bootstrap_controller for n in self.nodes.values())

    def format(self) -> None:
        for n in self.nodes.values():
            if not (n.log_dir / "meta.properties").exists():
                n.format()

    def start(self, ids: list[int] | None = None, timeout: float = 60.0, wait: bool = True) -> None:
        """Formats what is not formatted yet, launches the nodes together and (with `wait`)
        waits until each serves clients, which takes a quorum: a node's client listener opens
        once the active controller has unfenced it."""
        self.format()
        for i in ids or self.ids:
            self.nodes[i].launch()
        if wait:
            self.wait_ready(ids, timeout)

    def wait_ready(self, ids: list[int] | None = None, timeout: float = 60.0) -> None:
        try:
            for i in ids or self.ids:
                self.nodes[i].wait_ready(timeout)
        except BaseException:
            self.stop_all()
            raise

    def stop_all(self, timeout: float = 20.0) -> dict[int, int | None]:
        """SIGTERM every node at once, then wait for each: their exit codes. (One by one, the
        last nodes would wait out their controlled shutdown with no quorum left to grant it.)"""
        live = [n for n in self.nodes.values() if n.proc is not None]
        for n in live:
            if n.proc.poll() is None:
                os.killpg(n.proc.pid, signal.SIGTERM)
        return {n.node_id: n.wait_exit(timeout) for n in live}

    def close(self) -> list[str]:
        """Kills what still runs (tests that check a clean stop call stop_all() themselves; a
        SIGTERM here could wait out a controlled shutdown with no controller left); returns a
        problem per node that died on its own."""
        problems = []
        for n in self.nodes.values():
            if n.proc is None:
                continue
            if n.proc.poll() is None:
                n.kill9()
                continue
            if not n.expect_exit:
                problems.append(f"node {n.node_id} exited unexpectedly with {n.proc.returncode}\n" + n.log_tail())
            n.proc = None
        return problems

    def logs(self, lines: int = 25) -> str:
        return "\n".join(n.log_tail(lines) for n in self.nodes.values())


# ---- DescribeQuorum on the raw wire (API 55, v2, flexible) ------------------------------------

API_DESCRIBE_QUORUM = 55


@dataclass
class ReplicaRow:
    replica_id: int
    log_end_offset: int
    last_fetch_ms: int
    last_caught_up_ms: int


@dataclass
class QuorumView:
    """One DescribeQuorum answer. `error` is the first non-zero error code (top level, then the
    partition's); `message` its text."""
    error: int = 0
    message: str | None = None
    leader_id: int = -1
    leader_epoch: int = -1
    high_watermark: int = -1
    voters: list[ReplicaRow] = field(default_factory=list)
    observers: list[ReplicaRow] = field(default_factory=list)
    nodes: dict[int, list[tuple[str, str, int]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error == 0 and self.leader_id >= 0

    def voter_ids(self) -> list[int]:
        return sorted(r.replica_id for r in self.voters)


def describe_quorum(host: str, port: int, timeout: float = 2.0, version: int = 2) -> QuorumView:
    """Sends DescribeQuorum for __cluster_metadata-0; raises OSError/ConnectionError when the
    node does not answer."""
    body = carr([cstr(METADATA_TOPIC) + carr([i32(0) + b"\x00"]) + b"\x00"]) + b"\x00"
    with Connection(host, port, timeout=timeout) as conn:
        corr = conn.next_correlation
        conn.send_raw(frame(request_header(API_DESCRIBE_QUORUM, version, corr) + b"\x00" + body))
        data = conn.read_frame()
    if data is None:
        raise ConnectionError(f"{host}:{port} closed the connection instead of answering DescribeQuorum")
    r = Flex(data)
    if r.i32() != corr:
        raise ConnectionError("DescribeQuorum answered with another correlation id")
    r.tags()
    view = QuorumView(error=r.i16())
    if version >= 2:
        view.message = r.cstr()

    def replica(x: Flex) -> ReplicaRow:
        rid = x.i32()
        if version >= 2:
            x.uuid()
        row = ReplicaRow(rid, x.i64(), -1, -1)
        if version >= 1:
            row.last_fetch_ms, row.last_caught_up_ms = x.i64(), x.i64()
        x.tags()
        return row

    def partition(p: Flex) -> None:
        p.i32()
        err = p.i16()
        msg = p.cstr() if version >= 2 else None
        if view.error == 0 and err != 0:
            view.error, view.message = err, msg
        view.leader_id, view.leader_epoch, view.high_watermark = p.i32(), p.i32(), p.i64()
        view.voters = p.carr(replica) or []
        view.observers = p.carr(replica) or []
        p.tags()

    def topic(t: Flex) -> None:
        t.cstr()
        t.carr(partition)
        t.tags()

    r.carr(topic)
    if version >= 2:
        def node(x: Flex) -> None:
            nid = x.i32()

            def listener(y: Flex):
                out = (y.cstr(), y.cstr(), struct.unpack(">H", y.take(2))[0])
                y.tags()
                return out

            view.nodes[nid] = x.carr(listener) or []
            x.tags()

        r.carr(node)
    return view


def try_describe(host: str, port: int, timeout: float = 2.0) -> QuorumView | str:
    """describe_quorum(), or the reason it failed as a string."""
    try:
        return describe_quorum(host, port, timeout)
    except (OSError, ConnectionError, struct.error, IndexError) as e:
        return f"{type(e).__name__}: {e}"


# ---- Kafka's tools (bench/kafka/target/lib) ---------------------------------------------------

def kafka_lib() -> Path:
    if not any(KAFKA_LIB.glob("kafka-tools-*.jar")):
        raise FileNotFoundError(f"{KAFKA_LIB} has no kafka-tools jar: run scripts/install-test-deps.sh "
                                "(or mvn -f bench/kafka/pom.xml package)")
    return KAFKA_LIB


@dataclass
class ToolRun:
    cmd: list[str]
    rc: int | None
    stdout: str
    stderr: str
    seconds: float

    def __str__(self) -> str:
        return (f"$ {' '.join(self.cmd[-6:])}\nrc={self.rc} ({self.seconds:.1f} s)\n"
                f"stdout:\n{self.stdout[-3000:]}\nstderr:\n{self.stderr[-3000:]}")


class KafkaTools:
    """Runs Kafka's Java tools with the reference Kafka's jars. The admin client behind
    MetadataQuorumCommand gets short timeouts (a dead node must not cost a minute), and its
    logging goes to stderr so that stdout holds only the tool's answer."""

    def __init__(self, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.log4j = workdir / "tools-log4j2.properties"
        self.log4j.write_text(
            "status = error\nappender.console.type = Console\nappender.console.name = STDERR\n"
            "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
            "appender.console.layout.pattern = [%d] %p %m (%c)%n\nrootLogger.level = WARN\n"
            "rootLogger.appenderRef.stderr.ref = STDERR\n")
        self.admin_config = workdir / "tools-admin.properties"
        self.admin_config.write_text("request.timeout.ms=4000\ndefault.api.timeout.ms=8000\n"
                                     "socket.connection.setup.timeout.ms=1000\n"
                                     "socket.connection.setup.timeout.max.ms=2000\n")

    def java(self, main_class: str, *args: str, timeout: float = 60) -> ToolRun:
        cmd = ["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", f"-Dlog4j2.configurationFile={self.log4j}",
               "-cp", f"{kafka_lib()}/*", main_class, *args]
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
            return ToolRun(cmd, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            return ToolRun(cmd, None, out, err + f"\n(timed out after {timeout} s)", time.monotonic() - t0)

    def metadata_quorum(self, what: str, *, bootstrap_server: str | None = None,
                        bootstrap_controller: str | None = None, timeout: float = 40) -> ToolRun:
        """MetadataQuorumCommand describe --status | --replication."""
        target = (["--bootstrap-server", bootstrap_server] if bootstrap_server
                  else ["--bootstrap-controller", bootstrap_controller])
        return self.java("org.apache.kafka.tools.MetadataQuorumCommand", *target,
                         "--command-config", str(self.admin_config), "describe", f"--{what}", timeout=timeout)

    def dump_log_segments(self, files: list[Path], timeout: float = 60) -> ToolRun:
        return self.java("org.apache.kafka.tools.DumpLogSegments", "--files",
                         ",".join(str(f) for f in files), timeout=timeout)


def parse_status(stdout: str) -> dict:
    """`describe --status` output -> {"ClusterId": str, "LeaderId": int, "LeaderEpoch": int,
    "HighWatermark": int, "MaxFollowerLag": int, "MaxFollowerLagTimeMs": int,
    "CurrentVoters": [ids], "CurrentObservers": [ids]}. Voters print as
    [{"id": 1, "endpoints": [...]}, ...] (Kafka 3.9+) or [1, 2, 3] (older tools)."""
    out: dict = {}
    for line in stdout.splitlines():
        key, sep, value = line.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z]+", key.strip()):
            continue
        key, value = key.strip(), value.strip()
        if key in ("CurrentVoters", "CurrentObservers"):
            ids = re.findall(r'"id":\s*(-?\d+)', value) or re.findall(r"-?\d+", value)
            out[key] = sorted(int(i) for i in ids)
        elif re.fullmatch(r"-?\d+", value):
            out[key] = int(value)
        else:
            out[key] = value
    return out


def parse_replication(stdout: str) -> list[dict]:
    """`describe --replication` output -> one dict per row, keyed by the header's column names
    (NodeId, DirectoryId, LogEndOffset, Lag, LastFetchTimestamp, LastCaughtUpTimestamp, Status);
    numeric cells as ints."""
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    for i, ln in enumerate(lines):
        if ln.split("\t")[0].strip() == "NodeId":
            header = [h.strip() for h in ln.split("\t") if h.strip()]
            rows = []
            for row in lines[i + 1:]:
                cells = [c.strip() for c in row.split("\t")]
                cells = cells[:len(header)]
                if len(cells) < len(header) or not cells[0].lstrip("-").isdigit():
                    continue
                rows.append({h: int(c) if c.lstrip("-").isdigit() else c for h, c in zip(header, cells)})
            return rows
    return []


# ---- v2 record batches of a segment -------------------------------------------------------------

@dataclass(frozen=True)
class Batch:
    """A v2 batch header, and its records as (offset, key, value) when uncompressed."""
    base_offset: int
    last_offset: int
    leader_epoch: int
    count: int
    crc: int
    crc_ok: bool
    is_control: bool
    records: tuple = ()

    def header(self) -> tuple:
        return (self.base_offset, self.last_offset, self.leader_epoch, self.count, self.crc)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = z = 0
    while True:
        b = data[pos]
        pos += 1
        z |= (b & 0x7F) << shift
        if not b & 0x80:
            return (z >> 1) ^ -(z & 1), pos
        shift += 7


def _records(data: bytes, base_offset: int, count: int) -> tuple:
    out, pos = [], 0
    for _ in range(count):
        length, pos = _varint(data, pos)
        end = pos + length
        pos += 1  # attributes
        _, pos = _varint(data, pos)  # timestamp delta
        delta, pos = _varint(data, pos)
        klen, pos = _varint(data, pos)
        key = None if klen < 0 else data[pos:pos + klen]
        pos += max(klen, 0)
        vlen, pos = _varint(data, pos)
        value = None if vlen < 0 else data[pos:pos + vlen]
        out.append((base_offset + delta, key, value))
        pos = end
    return tuple(out)


def read_batches(path: Path) -> tuple[list[Batch], int, int]:
    """Parses a segment: (batches, bytes used by whole batches, file size). Stops at the first
    incomplete or zero-length batch (a torn tail, or zero padding after a kill)."""
    data = path.read_bytes()
    batches, pos = [], 0
    while pos + 61 <= len(data):
        base, length, epoch, magic = struct.unpack_from(">qiib", data, pos)
        if length <= 0 or pos + 12 + length > len(data) or magic != 2:
            break
        crc, attrs, last_delta = struct.unpack_from(">Ihi", data, pos + 17)
        count = struct.unpack_from(">i", data, pos + 57)[0]
        body = data[pos + 21:pos + 12 + length]
        compressed = attrs & 0x07
        recs = () if compressed else _records(data[pos + 61:pos + 12 + length], base, count)
        batches.append(Batch(base, base + last_delta, epoch, count, crc, crc32c(body) == crc,
                             bool(attrs & 0x20), recs))
        pos += 12 + length
    return batches, pos, len(data)


def parse_dump(stdout: str) -> dict[str, list[tuple]]:
    """DumpLogSegments output -> {file: [(baseOffset, lastOffset, partitionLeaderEpoch, count,
    crc, isvalid)]}."""
    out: dict[str, list[tuple]] = {}
    current = None
    for line in stdout.splitlines():
        if line.startswith("Dumping "):
            current = line[len("Dumping "):].strip()
            out[current] = []
        elif line.startswith("baseOffset:") and current is not None:
            f = dict(re.findall(r"(\w+): (\S+)", line))
            out[current].append((int(f["baseOffset"]), int(f["lastOffset"]), int(f["partitionLeaderEpoch"]),
                                 int(f["count"]), int(f["crc"]), f["isvalid"] == "true"))
    return out


# ---- watching the quorum over time ---------------------------------------------------------------

@dataclass
class Sample:
    t: float          # monotonic seconds
    node_id: int      # the node asked (or whose quorum-state file was read)
    source: str       # "plaintext", "controller" (DescribeQuorum on that port) or "quorum-state"
    leader_id: int
    epoch: int


class QuorumWatch:
    """Samples, every `interval` s, what each running node says: DescribeQuorum on its PLAINTEXT
    and CONTROLLER ports (answers without error only) and its quorum-state file, one thread per
    node (a follower forwards DescribeQuorum to the leader, which may take a while). Then checks
    that no node's epoch ever went backwards and that no epoch ever had two leaders."""

    def __init__(self, cluster: RunnelCluster, interval: float = 0.05):
        self.cluster = cluster
        self.interval = interval
        self.samples: list[Sample] = []  # appended from several threads (list.append is atomic)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in cluster.ids]

    def __enter__(self) -> "QuorumWatch":
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=10)

    def _run(self, node_id: int) -> None:
        n = self.cluster[node_id]
        while not self._stop.is_set():
            state = n.quorum_state()
            if state is not None and "leaderEpoch" in state:
                self.samples.append(Sample(time.monotonic(), node_id, "quorum-state",
                                           int(state.get("leaderId", -1)), int(state["leaderEpoch"])))
            if n.alive():
                for source, port in (("plaintext", n.port), ("controller", n.controller_port)):
                    v = try_describe(n.host, port, timeout=1.0)
                    if isinstance(v, QuorumView) and v.ok:
                        self.samples.append(Sample(time.monotonic(), node_id, source, v.leader_id, v.leader_epoch))
            self._stop.wait(self.interval)

    def epochs_backwards(self) -> list[str]:
        """Every place where a node (per source) reported a lower epoch than it had before."""
        problems, last = [], {}
        for s in self.samples:
            key = (s.node_id, s.source)
            if key in last and s.epoch < last[key].epoch:
                problems.append(f"node {s.node_id} ({s.source}): epoch {last[key].epoch} then {s.epoch}")
            last[key] = s
        return problems

    def leaders_per_epoch(self) -> dict[int, set[int]]:
        """{epoch: leaders named for it} over every sample that named one."""
        out: dict[int, set[int]] = {}
        for s in self.samples:
            if s.leader_id >= 0:
                out.setdefault(s.epoch, set()).add(s.leader_id)
        return out
