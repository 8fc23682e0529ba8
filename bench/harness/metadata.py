"""bench/run.sh --metadata: the metadata cases of issue 13, a three-node Runnel cluster against a
three-node Kafka cluster (KRaft, every node broker+controller, static controller.quorum.voters) on
127.0.0.1-3, Kafka first, in one run:

- create N topics of P partitions through the admin API (Kafka's Java AdminClient, createTopics
  calls of `batch` topics, `inflight` calls outstanding), then the time until every broker's
  Metadata shows every partition with a leader; delete them the same way; RF 1, and 3 in full mode;
- smaller creates (full mode): 100 topics one per call, and 10 calls of 10 topics all in flight at
  once, to see what one controller decision costs and whether concurrent calls wait for each other;
- CreatePartitions (P -> P+1) acknowledged -> every broker's Metadata shows the new partition
  with a leader (raw Metadata v8 polls of each broker, 1 ms apart), p50/p99 over `addparts` samples;
- kill -9 of the active controller -> the next successful createTopics (the same warm AdminClient,
  retrying), median over `failovers` trials; the killed node is restarted and rejoins in between;
- VmRSS of each broker holding the N*P partitions, idle after `settle_s` s.

Writes bench/results/<UTC date>-<sha>-metadata.json and the metadata block of docs/benchmarks.md.
"""
import argparse
import base64
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402
import report  # noqa: E402
from procs import BENCH, BROKER_CORES, CLIENT_CORES, ROOT, Broker, kafka_version  # noqa: E402

PLANS = {
    # quick: small enough for CI (about 3 minutes with both clusters' start-ups).
    "quick": dict(topics=100, partitions=10, batch=100, inflight=1, rfs=[1], addparts=10, failovers=1,
                  extra=[], settle_s=5),
    # full: the 1,000 topics x 10 partitions.
    "full": dict(topics=1000, partitions=10, batch=100, inflight=1, rfs=[1, 3], addparts=50, failovers=3,
                 extra=[(100, 1, 1), (100, 10, 10)], settle_s=15),
}
TARGETS = {"time": 0.5, "rss": 0.1}  # issue 13: each time <= 0.5x Kafka's, RSS <= 0.1x
JAVA_OUT = os.path.join(BENCH, "loadgen", "build", "java")
DRIVER_SRC = os.path.join(BENCH, "metadata", "MetadataAdmin.java")
KAFKA_LIB = os.path.join(BENCH, "kafka", "target", "lib")


def log(msg):
    print(f"[metadata {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def new_cluster_id():
    """A Kafka cluster id: 16 random bytes, base64url without padding (StorageTool random-uuid)."""
    while True:
        s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not s.startswith("-"):
            return s


# ---- Metadata v8 on the raw wire: what one broker serves -----------------------------------------

def _str(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


class Wire:
    """One connection to one broker, Metadata v8 (not flexible; both systems serve it)."""

    def __init__(self, host, port, timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.corr = 0

    def close(self):
        self.sock.close()

    def _read(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return bytes(buf)

    def metadata(self, topics=None):
        """({node_id: (host, port)}, {topic: (error, {partition: (error, leader)})}); topics None = all."""
        self.corr += 1
        body = struct.pack(">i", -1) if topics is None else struct.pack(">i", len(topics)) + b"".join(_str(t) for t in topics)
        body += b"\x00\x00\x00"  # no auto-creation, no authorized operations
        req = struct.pack(">hhi", 3, 8, self.corr) + _str("metadata-bench") + body
        self.sock.sendall(struct.pack(">i", len(req)) + req)
        size = struct.unpack(">i", self._read(4))[0]
        d = self._read(size)
        pos = 8  # correlation id, throttle

        def i16():
            nonlocal pos
            pos += 2
            return struct.unpack_from(">h", d, pos - 2)[0]

        def i32():
            nonlocal pos
            pos += 4
            return struct.unpack_from(">i", d, pos - 4)[0]

        def string():
            nonlocal pos
            n = i16()
            if n < 0:
                return None
            pos += n
            return d[pos - n:pos].decode()

        brokers = {}
        for _ in range(i32()):
            nid, host, port = i32(), string(), i32()
            string()  # rack
            brokers[nid] = (host, port)
        string()  # cluster id
        i32()  # controller id
        out = {}
        for _ in range(i32()):
            err, name = i16(), string()
            pos += 1  # is_internal
            parts = {}
            for _ in range(i32()):
                perr, idx, leader = i16(), i32(), i32()
                i32()  # leader epoch
                for _ in range(3):  # replicas, isr, offline
                    count = i32()
                    pos += 4 * count
                parts[idx] = (perr, leader)
            i32()  # topic authorized operations
            out[name] = (err, parts)
        return brokers, out


def serves(topic_view, partitions):
    """A topic's Metadata entry shows `partitions` partitions, each without error and with a leader."""
    if topic_view is None or topic_view[0] != 0 or len(topic_view[1]) != partitions:
        return False
    return all(err == 0 and leader >= 0 for err, leader in topic_view[1].values())


# ---- the clusters -------------------------------------------------------------------------------

class Node(Broker):
    """One node of a cluster: procs.Broker's stop() and kill9(), on 127.0.0.N with the cluster's ports."""

    def __init__(self, cluster, n):
        super().__init__(os.path.join(cluster.dir, f"node{n}"), cluster.port)
        self.cluster, self.n = cluster, n
        self.host = f"127.0.0.{n}"
        self.system = cluster.system

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        self.log = open(os.path.join(self.dir, "broker.out"), "ab")
        self.proc = subprocess.Popen(["taskset", "-c", BROKER_CORES, *self.cluster.command(self)], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def status(self, key):
        """A /proc/<pid>/status field in MB (taskset and run-kafka.sh exec, so the pid is the broker's)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
        return None

    def ready(self, brokers=3):
        """This node's listener answers Metadata naming every broker."""
        try:
            w = Wire(self.host, self.port, timeout=2)
            try:
                return len(w.metadata([])[0]) >= brokers
            finally:
                w.close()
        except (OSError, ConnectionError, struct.error):
            return False


class Cluster:
    system = "?"

    def __init__(self, workdir, port):
        self.dir, self.port = workdir, port
        self.cport = port + 1
        self.nodes = {n: Node(self, n) for n in (1, 2, 3)}
        self.cluster_id = new_cluster_id()

    @property
    def voters(self):
        return ",".join(f"{n}@127.0.0.{n}:{self.cport}" for n in self.nodes)

    @property
    def bootstrap(self):
        return ",".join(f"127.0.0.{n}:{self.port}" for n in self.nodes)

    def start_all(self, timeout=300):
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        self.prepare()
        t0 = time.monotonic()
        for node in self.nodes.values():
            node.start()
        for node in self.nodes.values():
            wait_ready(node, t0 + timeout)
        return time.monotonic() - t0

    def prepare(self):
        pass

    def stop_all(self):
        # SIGTERM to all at once: stopped one by one, the last ones would wait for a quorum that is gone.
        for node in self.nodes.values():
            if node.alive():
                node.proc.send_signal(signal.SIGTERM)
        for node in self.nodes.values():
            node.stop()


def wait_ready(node, deadline):
    while not node.ready():
        if not node.alive():
            raise RuntimeError(f"{node.cluster.system} node {node.n} exited; see {node.dir}/broker.out")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{node.cluster.system} node {node.n} not ready in time; see {node.dir}/broker.out")
        time.sleep(0.2)


class RunnelCluster(Cluster):
    system = "runnel"

    def __init__(self, workdir, port, binary):
        super().__init__(workdir, port)
        self.binary = binary
        self.deviations = ["runnel.cores=1 per node", f"admin HTTP on 127.0.0.N:{port + 2}",
                           "otherwise defaults (the settings of the cluster block in bench/README.md)"]

    def props(self, node):
        return {
            "process.roles": "broker,controller", "node.id": node.n,
            "listeners": f"PLAINTEXT://{node.host}:{self.port},CONTROLLER://{node.host}:{self.cport}",
            "advertised.listeners": f"PLAINTEXT://{node.host}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.quorum.voters": self.voters, "log.dirs": os.path.join(node.dir, "logs"),
            "runnel.cores": 1, "runnel.admin.listeners": f"http://{node.host}:{self.port + 2}",
        }

    def prepare(self):
        for node in self.nodes.values():
            os.makedirs(node.dir, exist_ok=True)
            path = os.path.join(node.dir, "server.properties")
            with open(path, "w") as f:
                f.write("".join(f"{k}={v}\n" for k, v in self.props(node).items()))
            p = subprocess.run([self.binary, "format", "-t", self.cluster_id, "-c", path], capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError(f"runnel-broker format failed: {p.stdout}{p.stderr}")

    def command(self, node):
        return [self.binary, "--config", os.path.join(node.dir, "server.properties")]


class KafkaCluster(Cluster):
    system = "kafka"

    def __init__(self, workdir, port):
        super().__init__(workdir, port)
        self.deviations = ["KRaft, 3 combined broker+controller nodes (bench/kafka/run-kafka.sh --node N)",
                           "heap -Xms256m -Xmx1g per node (kafka-server-start.sh uses -Xmx1G -Xms1G), G1GC",
                           "run-kafka.sh's single-node settings kept: internal topics RF 1, "
                           "group.initial.rebalance.delay.ms=0 (no internal topic is used here)"]

    def command(self, node):
        return ["bash", os.path.join(BENCH, "kafka", "run-kafka.sh"), node.dir, str(self.port), str(self.cport),
                "--node", str(node.n), "--voters", self.voters, "--cluster-id", self.cluster_id]


# ---- the admin client ---------------------------------------------------------------------------

def build_driver():
    cls = os.path.join(JAVA_OUT, "MetadataAdmin.class")
    if not os.path.exists(cls) or os.path.getmtime(cls) < os.path.getmtime(DRIVER_SRC):
        os.makedirs(JAVA_OUT, exist_ok=True)
        subprocess.run(["javac", "-d", JAVA_OUT, "-cp", os.path.join(KAFKA_LIB, "*"), DRIVER_SRC], check=True)


class Driver:
    """bench/metadata/MetadataAdmin.java on the client core: one warm AdminClient, one command per line."""

    def __init__(self, bootstrap, logpath):
        self.err = open(logpath, "ab")
        cp = JAVA_OUT + ":" + os.path.join(KAFKA_LIB, "*")
        self.proc = subprocess.Popen(
            ["taskset", "-c", CLIENT_CORES, "java", "-Xmx512m",
             "-Dlog4j2.configurationFile=" + os.path.join(BENCH, "kafka", "log4j2.properties"), "-cp", cp,
             "MetadataAdmin", bootstrap], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True, bufsize=1)
        self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        while line and not line.startswith("{"):  # the client's own log lines (log4j2 console)
            self.err.write(line.encode())
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the admin driver exited; see its log")
        try:
            return json.loads(line)
        except ValueError as e:
            raise RuntimeError(f"the admin driver said {line!r}") from e

    def __call__(self, *args):
        self.proc.stdin.write(" ".join(str(a) for a in args) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        self.err.close()


# ---- the cases ----------------------------------------------------------------------------------

def rec(system, case, value, unit, samples=None, notes="", ok=True, **kw):
    r = {"system": system, "case": case, "value": value, "unit": unit, "samples": samples or [value], "notes": notes,
         "ok": ok}
    r.update(kw)
    return r


def wait_all(cluster, done, what, timeout=600):
    """Seconds until `done(topics)` holds for every broker's Metadata (all topics, v8)."""
    t0 = time.monotonic()
    pending = set(cluster.nodes)
    while pending:
        for n in sorted(pending):
            node = cluster.nodes[n]
            try:
                w = Wire(node.host, node.port, timeout=30)
                try:
                    _, topics = w.metadata(None)
                finally:
                    w.close()
            except (OSError, ConnectionError):
                continue
            if done(topics):
                pending.discard(n)
        if time.monotonic() - t0 > timeout:
            raise RuntimeError(f"{cluster.system}: brokers {sorted(pending)} not {what} after {timeout} s")
        if pending:
            time.sleep(0.05)
    return time.monotonic() - t0


def wait_served(cluster, names, partitions):
    """Seconds until every broker shows every one of `names` with `partitions` partitions, all led."""
    return wait_all(cluster, lambda topics: all(serves(topics.get(t), partitions) for t in names),
                    "serving every topic")


def wait_gone(cluster, prefix):
    """Seconds until no broker lists a topic named `prefix`-*."""
    return wait_all(cluster, lambda topics: not any(t.startswith(prefix + "-") for t in topics), f"rid of {prefix}-*")


def create_delete(cluster, driver, plan, rf, results, middle=None):
    sysname, n, p, batch, inflight = cluster.system, plan["topics"], plan["partitions"], plan["batch"], plan["inflight"]
    prefix = f"rf{rf}"
    names = [f"{prefix}-{i}" for i in range(n)]
    label = f"{n} topics x {p} partitions RF={rf}"
    how = f"Java AdminClient, createTopics calls of {batch} topics, {inflight} call(s) outstanding"
    log(f"{sysname}: create {label}")
    out = driver("create", prefix, 0, n, p, rf, batch, inflight)
    served = wait_served(cluster, names, p)
    calls = out["call_ms"]
    note = (f"{how}; {out['calls']} calls, each {min(calls):.0f}-{max(calls):.0f} ms (median {statistics.median(calls):.0f}); "
            f"every broker's Metadata showed all {n * p} partitions with a leader {served * 1000:.0f} ms after the last ack")
    if rf == 3 and sysname == "runnel":
        note += "; Runnel places 3 replicas per partition but does not replicate data yet"
    if not out["ok"]:
        note += f"; FAILED: {out['errors']} calls failed, first: {out['first_error']}"
    results.append(rec(sysname, f"create {label}", out["ms"], "ms", notes=note, ok=out["ok"], served_after_ms=served * 1000,
                       call_ms=calls))
    log(f"{sysname}: created in {out['ms']:.0f} ms, served everywhere {served * 1000:.0f} ms later")
    time.sleep(plan["settle_s"])
    rss = {nd.n: nd.status("VmRSS") for nd in cluster.nodes.values()}
    results.append(rec(sysname, f"idle RSS per broker, {label}", statistics.mean(rss.values()), "MB",
                       samples=list(rss.values()),
                       notes=f"VmRSS after {plan['settle_s']} s idle; nodes 1/2/3: "
                             + " / ".join(f"{rss[k]:.0f}" for k in sorted(rss)) + " MB; value = mean"))
    if middle:
        middle()
    log(f"{sysname}: delete {label}")
    out = driver("delete", prefix, 0, n, batch, inflight)
    gone = wait_gone(cluster, prefix)
    calls = out["call_ms"]
    note = (f"deleteTopics calls of {batch} topics, {inflight} outstanding; {out['calls']} calls, each "
            f"{min(calls):.0f}-{max(calls):.0f} ms; every broker's Metadata listed none {gone * 1000:.0f} ms after the last ack")
    if not out["ok"]:
        note += f"; FAILED: {out['errors']} calls failed, first: {out['first_error']}"
    results.append(rec(sysname, f"delete {label}", out["ms"], "ms", notes=note, ok=out["ok"], gone_after_ms=gone * 1000,
                       call_ms=calls))
    log(f"{sysname}: deleted in {out['ms']:.0f} ms")


def extra_creates(cluster, driver, plan, results):
    """Smaller creates that show how the controller takes concurrent work: `topics` topics in calls
    of `batch`, `inflight` calls outstanding (one per call: one controller decision per topic;
    several in flight: do the calls wait for one another?)."""
    sysname, p = cluster.system, plan["partitions"]
    for n, batch, inflight in plan["extra"]:
        prefix = f"x{batch}-{inflight}"
        log(f"{sysname}: create {n} topics, {batch} per call, {inflight} in flight")
        out = driver("create", prefix, 0, n, p, 1, batch, inflight)
        wait_served(cluster, [f"{prefix}-{i}" for i in range(n)], p)
        calls = sorted(out["call_ms"])
        results.append(rec(sysname, f"create {n} topics x {p} partitions, {batch} per call, {inflight} in flight", out["ms"],
                           "ms", ok=out["ok"], call_ms=out["call_ms"],
                           notes=(f"{out['calls']} createTopics calls; per call p50 {statistics.median(calls):.1f} ms, "
                                  f"max {calls[-1]:.1f} ms; completion order: "
                                  + ", ".join(f"{c:.0f}" for c in out["call_ms"][:12]) + (" ..." if len(calls) > 12 else "")
                                  + " ms after each call's start (not a target)")))
        driver("delete", prefix, 0, n, 100, 1)
        wait_gone(cluster, prefix)


def add_partitions(cluster, driver, plan, results, prefix="rf1"):
    """CreatePartitions acknowledged -> every broker shows the new partition with a leader."""
    sysname, p = cluster.system, plan["partitions"]
    wires = {nd.n: Wire(nd.host, nd.port) for nd in cluster.nodes.values()}
    samples, acks, slow = [], [], []
    try:
        for i in range(plan["addparts"]):
            topic = f"{prefix}-{i}"
            out = driver("addparts", topic, p + 1)
            t_ack = time.monotonic()
            if not out["ok"]:
                results.append(rec(sysname, "CreatePartitions ack -> served by every broker", None, "ms",
                                   notes=f"FAILED: {out['error']}", ok=False))
                return
            acks.append(out["ms"])
            pending, worst, seen = set(wires), 0.0, {}
            while pending:
                for n in sorted(pending):
                    _, topics = wires[n].metadata([topic])
                    if serves(topics.get(topic), p + 1):
                        pending.discard(n)
                        worst = time.monotonic() - t_ack
                        seen[n] = worst * 1000
                if time.monotonic() - t_ack > 60:
                    raise RuntimeError(f"{sysname}: {topic} not served with {p + 1} partitions by {sorted(pending)} in 60 s")
                if pending:
                    time.sleep(0.001)
            samples.append(worst * 1000)
            if worst > 0.2:
                slow.append(f"{topic}: " + ", ".join(f"node {n} {seen[n]:.0f}" for n in sorted(seen, key=seen.get)))
    finally:
        for w in wires.values():
            w.close()
    s = sorted(samples)
    p99 = s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))]
    results.append(rec(sysname, "CreatePartitions ack -> served by every broker, p99", p99, "ms", samples=samples,
                       notes=(f"{len(s)} topics of the RF=1 set grown {p}->{p + 1} one after another; from the AdminClient's "
                              f"acknowledgement to the last broker whose Metadata v8 shows {p + 1} partitions with leaders "
                              f"(polled every 1 ms); p50 {statistics.median(s):.1f} ms, max {s[-1]:.1f} ms; "
                              f"the createPartitions call itself: p50 {statistics.median(acks):.1f} ms, max {max(acks):.1f} ms"
                              + ("; p99 of so few samples is close to the max" if len(s) < 100 else "")
                              + (f"; {len(slow)} samples over 200 ms, per broker ms: " + "; ".join(slow[:8]) if slow else ""))))


def failovers(cluster, driver, plan, results):
    """kill -9 of the active controller -> next successful createTopics."""
    sysname = cluster.system
    times, notes = [], []
    for i in range(plan["failovers"]):
        leader = driver("leader").get("leader", -1)
        if leader not in cluster.nodes:
            notes.append(f"trial {i}: no leader known ({leader})")
            continue
        node = cluster.nodes[leader]
        t0 = time.monotonic()
        node.kill9()
        out = driver("create_retry", f"failover-{i}", 1, 1, 120000)
        ms = (time.monotonic() - t0) * 1000
        new_leader = driver("leader").get("leader", -1)
        log(f"{sysname}: failover {i}: killed node {leader}, created after {ms:.0f} ms "
            f"({out['attempts']} attempts), new controller {new_leader}")
        if out["ok"]:
            times.append(ms)
        notes.append(f"trial {i}: killed {leader}, {ms:.0f} ms, {out['attempts']} attempt(s), new controller {new_leader}"
                     + (f", errors: {out['errors'][:200]}" if out["errors"] else ""))
        t1 = time.monotonic()
        node.start()
        wait_ready(node, time.monotonic() + 300)
        notes[-1] += f"; node {leader} back in {time.monotonic() - t1:.1f} s"
        time.sleep(plan["settle_s"] / 3)
    ok = len(times) == plan["failovers"]
    med = statistics.median(times) if times else None
    results.append(rec(sysname, "kill -9 active controller -> next topic created, median", med, "ms", samples=times,
                       notes=(f"{len(times)} trials with the RF=1 topics in place, default timeouts, the same AdminClient "
                              f"retrying createTopics of a 1-partition topic; " + "; ".join(notes)), ok=ok))


def run_system(cluster, plan, results, workdir):
    log(f"{cluster.system}: starting 3 nodes")
    started = cluster.start_all()
    log(f"{cluster.system}: all 3 serve Metadata after {started:.1f} s")
    results.append(rec(cluster.system, "cluster start to all 3 brokers serving", started * 1000, "ms",
                       notes="spawn of 3 formatted nodes to each one's Metadata listing 3 brokers (not a target)"))
    driver = Driver(cluster.bootstrap, os.path.join(workdir, f"{cluster.system}-driver.log"))
    try:
        # Warm-up (not measured): the client's first calls load and compile its code paths.
        driver("create", "warmup", 0, 20, 1, 1, 10, 1)
        wait_served(cluster, [f"warmup-{i}" for i in range(20)], 1)
        driver("delete", "warmup", 0, 20, 10, 1)
        wait_gone(cluster, "warmup")
        for rf in plan["rfs"]:
            middle = None
            if rf == 1:
                def middle():
                    log(f"{cluster.system}: CreatePartitions x{plan['addparts']}")
                    add_partitions(cluster, driver, plan, results)
                    log(f"{cluster.system}: failover x{plan['failovers']}")
                    failovers(cluster, driver, plan, results)
            create_delete(cluster, driver, plan, rf, results, middle)
        extra_creates(cluster, driver, plan, results)
    finally:
        driver.close()
        cluster.stop_all()


# ---- the report ---------------------------------------------------------------------------------

BEGIN = "<!-- BEGIN GENERATED by bench/run.sh --metadata: do not edit by hand -->"
END = "<!-- END GENERATED metadata -->"


def target_of(case):
    if case.startswith("idle RSS"):
        return TARGETS["rss"]
    if case.startswith(("create", "delete", "CreatePartitions", "kill -9")) and "per call" not in case:
        return TARGETS["time"]
    return None


def spread(r):
    s = [x for x in r.get("samples") or [] if x is not None]
    if len(s) < 2:
        return ""
    return f" ({min(s):,.0f}–{max(s):,.0f}, n={len(s)})"


def table(results):
    by, order = {}, []
    for r in results:
        if r["case"] not in by:
            order.append(r["case"])
            by[r["case"]] = {}
        by[r["case"]][r["system"]] = r
    lines = ["| case | Kafka | Runnel | **R/K** | target | met |", "|---|---|---|---|---|---|"]
    for case in order:
        k, r = by[case].get("kafka", {}), by[case].get("runnel", {})

        def cell(x):
            if not x or x.get("value") is None:
                return "–" + ("" if not x or x.get("ok", True) else " ❌")
            return f"{x['value']:,.1f} {x['unit']}{spread(x)}" + ("" if x.get("ok", True) else " ❌")

        ratio = r["value"] / k["value"] if r.get("value") is not None and k.get("value") else None
        t = target_of(case)
        met = "–" if ratio is None or t is None else ("yes" if ratio <= t else "**no**")
        lines.append(f"| {case} | {cell(k)} | {cell(r)} | {'–' if ratio is None else f'{ratio:.2f}×'} "
                     f"| {'–' if t is None else f'≤ {t}×'} | {met} |")
    return "\n".join(lines)


def generated(run):
    m = run["machine"]
    notes = "\n".join(f"- **{r['system']} / {r['case']}**: {r['notes']}" for r in run["results"] if r.get("notes"))
    devs = "\n".join(f"- {s}: " + "; ".join(d) for s, d in run["deviations"].items())
    return f"""{BEGIN}

Run `{run['id']}` ({run['mode']} mode, {run['started_utc']}, git `{run['git_sha']}`{' + uncommitted changes' if run['dirty'] else ''}),
Kafka {run['kafka_version']}, {run['elapsed_s']:.0f} s. Raw results: `bench/results/{run['id']}.json`. Ratios are Runnel / Kafka
(lower is better everywhere here); targets from issue 13. Values with a range are the median or p99 of
several samples (min–max, n). ❌ = the case failed.

**Machine:** {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, kernel {m['kernel']}, {m['java']}. Load average at
start {', '.join(f'{x:.2f}' for x in m['load_average'])}, at end {', '.join(f'{x:.2f}' for x in run['load_average_end'])}
(other work shares this machine).

**Pinning:** {run['pinning']}

{table(run['results'])}

**Deviations from defaults:**
{devs}

**Per-case notes:**
{notes}

{END}"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--metadata", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--broker", default=os.path.join(ROOT, "build-bench", "bin", "runnel-broker"))
    ap.add_argument("--only", choices=["kafka", "runnel"])
    ap.add_argument("--topics", type=int, help="override the plan's topic count")
    ap.add_argument("--failovers", type=int, help="override the plan's failover trials")
    ap.add_argument("--port", type=int, default=39092, help="Runnel on 127.0.0.1-3:PORT (+1 controller, +2 admin); "
                                                            "Kafka on PORT+100 (+101 controller)")
    ap.add_argument("--results-dir", default=os.path.join(BENCH, "results"))
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--work", default=os.path.join(BENCH, "work", "metadata"))
    args = ap.parse_args()
    mode = "metadata-quick" if args.quick else "metadata"
    plan = dict(PLANS["quick" if args.quick else "full"])
    if args.topics:
        plan["topics"] = args.topics
    if args.failovers is not None:
        plan["failovers"] = args.failovers
    build_driver()
    os.makedirs(args.work, exist_ok=True)
    sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True).stdout.strip())
    now = datetime.datetime.now(datetime.timezone.utc)
    run = {"id": f"{now.strftime('%Y-%m-%d')}-{sha}-metadata", "mode": mode, "started_utc": now.strftime("%Y-%m-%d %H:%M UTC"),
           "git_sha": sha, "dirty": dirty, "kafka_version": kafka_version(), "machine": machine.describe(), "plan": plan,
           "broker_binary": args.broker,
           "pinning": (f"all 3 nodes of a cluster on core {BROKER_CORES} (`taskset -c {BROKER_CORES}`; Runnel runnel.cores=1, "
                       f"each Kafka JVM sees 1 CPU), the admin client and the Metadata polls on core {CLIENT_CORES}; "
                       f"one cluster at a time, Kafka first"),
           "results": [], "deviations": {}}
    t_start = time.time()
    clusters = [KafkaCluster(os.path.join(args.work, "kafka"), args.port + 100),
                RunnelCluster(os.path.join(args.work, "runnel"), args.port, args.broker)]
    try:
        for c in clusters:
            if args.only and c.system != args.only:
                continue
            run["deviations"][c.system] = c.deviations
            try:
                run_system(c, plan, run["results"], args.work)
            except Exception as e:  # a broken system is reported, the other one still runs
                log(f"{c.system}: ABORTED: {e}")
                run["results"].append(rec(c.system, "run aborted", None, "", notes=str(e)[-500:], ok=False))
            finally:
                c.stop_all()
    finally:
        for c in clusters:
            c.stop_all()
            for node in c.nodes.values():  # keep broker.out, drop the data
                shutil.rmtree(os.path.join(node.dir, "logs"), ignore_errors=True)
    run["deviations"]["clients"] = [f"Kafka {run['kafka_version']} Java AdminClient with defaults (bench/metadata/MetadataAdmin.java), "
                                    "one warm instance per system; Metadata v8 polls on raw sockets (bench/harness/metadata.py)"]
    run["load_average_end"] = list(os.getloadavg())
    run["elapsed_s"] = round(time.time() - t_start, 1)
    path = report.write(run, args.results_dir, args.doc, generated(run), BEGIN, END, "## Metadata (three nodes)")
    log(f"done in {run['elapsed_s']} s: {path}, {args.doc}")


if __name__ == "__main__":
    main()
