"""What test_cluster.py needs on top of cluster.py to drive a Runnel cluster as Kafka clients
see it: raw Metadata v12 (topic ids, leaders, replicas, ISR, controller id), FindCoordinator v4,
ListOffsets v4 and Fetch v11 clients asked of one node, Kafka's `__consumer_offsets` partition
of a group, waits for leadership changes, and the history checkers of the fault tests.
"""

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .cluster import QuorumView, RunnelCluster, read_batches, try_describe
from .fetch_wire import fetch_v11
from .kip848_wire import Flex, carr, cstr, flex_call
from .wire import API_LIST_OFFSETS, Connection, array, i8, i32, i64, string

API_METADATA = 3
NO_LEADER = -1


# ---- Metadata v12 on the raw wire ----------------------------------------------------------------

@dataclass
class PartitionMeta:
    error: int
    partition: int
    leader: int
    leader_epoch: int
    replicas: list[int]
    isr: list[int]


@dataclass
class TopicMeta:
    error: int
    name: str
    topic_id: str  # 32 hex digits
    internal: bool
    partitions: dict[int, PartitionMeta] = field(default_factory=dict)

    def leaders(self) -> dict[int, int]:
        return {p: m.leader for p, m in sorted(self.partitions.items())}


@dataclass
class ClusterMeta:
    brokers: dict[int, tuple[str, int]]
    cluster_id: str | None
    controller_id: int
    topics: list[TopicMeta]  # in the order of the answer (duplicates would show here)

    def topic(self, name: str) -> TopicMeta | None:
        return next((t for t in self.topics if t.name == name), None)


def flex_request(host: str, port: int, api_key: int, version: int, body: bytes, timeout: float = 5.0) -> Flex:
    """One flexible-version request on a fresh connection; the response body after its header."""
    with Connection(host, port, timeout=timeout) as conn:
        return flex_call(conn, api_key, version, body)


def metadata(host: str, port: int, topics: list[str] | None = None, timeout: float = 5.0) -> ClusterMeta:
    """Metadata v12 (topics None = all) from one broker; raises OSError/AssertionError."""
    body = carr(None if topics is None else [b"\x00" * 16 + cstr(t) + b"\x00" for t in topics])
    body += b"\x00" + b"\x00" + b"\x00"  # allow_auto_topic_creation, include_topic_authorized_operations, tags
    r = flex_request(host, port, API_METADATA, 12, body, timeout)
    r.i32()  # throttle

    def broker(x: Flex):
        nid, host_, port_ = x.i32(), x.cstr(), x.i32()
        x.cstr()  # rack
        x.tags()
        return nid, (host_, port_)
    brokers = dict(r.carr(broker) or [])
    cluster_id = r.cstr()
    controller_id = r.i32()

    def partition(x: Flex) -> PartitionMeta:
        p = PartitionMeta(x.i16(), x.i32(), x.i32(), x.i32(), x.carr(lambda y: y.i32()) or [],
                          x.carr(lambda y: y.i32()) or [])
        x.carr(lambda y: y.i32())  # offline replicas
        x.tags()
        return p

    def topic(x: Flex) -> TopicMeta:
        err, name, tid, internal = x.i16(), x.cstr(), x.uuid().hex(), bool(x.i8())
        parts = x.carr(partition) or []
        x.i32()  # authorized operations
        x.tags()
        return TopicMeta(err, name, tid, internal, {p.partition: p for p in parts})
    return ClusterMeta(brokers, cluster_id, controller_id, r.carr(topic) or [])


def try_metadata(host: str, port: int, topics: list[str] | None = None, timeout: float = 5.0) -> ClusterMeta | str:
    try:
        return metadata(host, port, topics, timeout)
    except (OSError, AssertionError, IndexError, UnicodeDecodeError) as e:
        return f"{type(e).__name__}: {e}"


def metadata_all(cluster: RunnelCluster, ids: list[int] | None = None, topics: list[str] | None = None) -> dict:
    """Metadata from each running node of `ids`, in parallel: {id: ClusterMeta or why not}."""
    ids = ids or [i for i in cluster.ids if cluster[i].alive()]
    with ThreadPoolExecutor(len(ids)) as ex:
        return dict(zip(ids, ex.map(lambda i: try_metadata(cluster[i].host, cluster[i].port, topics), ids)))


# ---- the quorum leader ---------------------------------------------------------------------------

def quorum_leader(cluster: RunnelCluster, timeout: float = 15.0) -> QuorumView:
    """The leader every running node names through DescribeQuorum (on its controller port: that
    listener is open before the node is unfenced)."""
    deadline = time.monotonic() + timeout
    seen = None
    while True:
        live = [i for i in cluster.ids if cluster[i].alive()]
        views = {i: try_describe(cluster[i].host, cluster[i].controller_port, 1.5) for i in live}
        good = [v for v in views.values() if isinstance(v, QuorumView) and v.ok]
        if live and len(good) == len(live) and len({(v.leader_id, v.leader_epoch) for v in good}) == 1 \
                and good[0].leader_id in live:
            return good[0]
        seen = views
        if time.monotonic() > deadline:
            raise AssertionError(f"no agreed quorum leader within {timeout} s: {seen}\n{cluster.logs()}")
        time.sleep(0.05)


# ---- groups --------------------------------------------------------------------------------------

def java_hash(s: str) -> int:
    """Java's String.hashCode (UTF-16 code units), as a signed 32-bit int."""
    h = 0
    for unit in s.encode("utf-16-be").hex(" ", 2).split():
        h = (31 * h + int(unit, 16)) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def offsets_partition(group: str, partitions: int = 50) -> int:
    """Kafka's GroupCoordinator partitionFor: Utils.abs(groupId.hashCode) % offsets.topic.num.partitions
    (Utils.abs maps Integer.MIN_VALUE to 0)."""
    h = java_hash(group)
    return (0 if h == -(1 << 31) else abs(h)) % partitions


# ---- FindCoordinator v4 on the raw wire ----------------------------------------------------------

API_FIND_COORDINATOR = 10


def find_coordinator(host: str, port: int, group: str, timeout: float = 5.0) -> tuple[int, int, str, int]:
    """FindCoordinator v4 (key type 0, group) asked of one broker: (error, node id, host, port)."""
    r = flex_request(host, port, API_FIND_COORDINATOR, 4, b"\x00" + carr([cstr(group)]) + b"\x00", timeout)
    r.i32()  # throttle

    def coordinator(x: Flex):
        x.cstr()
        node, h, p, err = x.i32(), x.cstr(), x.i32(), x.i16()
        x.cstr()
        x.tags()
        return err, node, h, p
    return r.carr(coordinator)[0]



# ---- ListOffsets and Fetch on the raw wire, with and without a leader epoch ---------------------

UNKNOWN_LEADER_EPOCH = 75
EARLIEST = -2


def list_offset(host: str, port: int, topic: str, partition: int, leader_epoch: int,
                timestamp: int = EARLIEST, timeout: float = 5.0) -> tuple[int, int]:
    """ListOffsets v4 for one partition with current_leader_epoch set, as librdkafka and the Java
    client send it (the epoch they learnt from Metadata): (error, offset)."""
    body = i32(-1) + i8(0) + array([string(topic) + array([i32(partition) + i32(leader_epoch) + i64(timestamp)])])
    with Connection(host, port, timeout=timeout) as conn:
        _, r = conn.request(API_LIST_OFFSETS, 4, body)
    r.i32()  # throttle
    (_, parts), = r.array(lambda t: (t.string(), t.array(lambda x: (x.i32(), x.i16(), x.i64(), x.i64(), x.i32()))))
    (_, err, _, offset, _), = parts
    return err, offset


def fetch_records(host: str, port: int, topic: str, partition: int) -> dict[int, tuple]:
    """Every record of one partition, read by raw Fetch v11 without a leader epoch
    (current_leader_epoch -1), so a broker's idea of the epoch does not matter:
    {offset: (key, value)} up to the high watermark. Batches must be uncompressed."""
    out: dict[int, tuple] = {}
    offset, hw = 0, 1
    with Connection(host, port) as conn, tempfile.TemporaryDirectory() as tmp:
        segment = Path(tmp) / "fetched.log"
        while offset < hw:
            part = fetch_v11(conn, [(topic, partition, offset)]).parts[(topic, partition)]
            assert part.error == 0, f"Fetch {topic}-{partition}@{offset}: error {part.error}"
            hw = part.high_watermark
            segment.write_bytes(part.records)
            batches, _, _ = read_batches(segment)
            assert batches or offset >= hw, f"Fetch {topic}-{partition}@{offset} below {hw} returned no batch"
            for b in batches:
                assert b.crc_ok and len(b.records) == b.count, f"{topic}-{partition}: bad or compressed batch {b}"
                out.update((o, (k, v)) for o, k, v in b.records if o >= offset)
                offset = max(offset, b.last_offset + 1)
    return out

# ---- waiting -------------------------------------------------------------------------------------

def wait_for(what: str, probe, timeout: float, cluster: RunnelCluster | None = None, interval: float = 0.05):
    """Calls probe() -> (done, seen) every `interval` s until done; returns (seen, seconds). After
    `timeout` it fails naming `what`, with the last thing seen and every node's log tail."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    done, seen = probe()
    while not done:
        if time.monotonic() > deadline:
            logs = cluster.logs(40) if cluster is not None else ""
            raise AssertionError(f"{what}: not within {timeout:.1f} s\nlast seen:\n{seen}\n{logs}")
        time.sleep(interval)
        done, seen = probe()
    return seen, time.monotonic() - t0


def leaders_seen(cluster: RunnelCluster, via: list[int], topic: str, accept) -> tuple[bool, object]:
    """Probe: every node of `via` answers Metadata for `topic` and accept(TopicMeta) holds for each."""
    metas = metadata_all(cluster, via, [topic])
    tops = {i: (m.topic(topic) if isinstance(m, ClusterMeta) else m) for i, m in metas.items()}
    ok = all(isinstance(t, TopicMeta) and t.error == 0 and accept(t) for t in tops.values())
    return ok, {i: (t.leaders() if isinstance(t, TopicMeta) else t) for i, t in tops.items()}


# ---- history checkers ----------------------------------------------------------------------------

def check_topic_history(acknowledged: list[str], views: dict[int, "ClusterMeta | str"],
                        prefix: str) -> list[str]:
    """The topic-creation history against what every broker's Metadata says afterwards. Returns
    the problems (empty when the history holds):
      - a broker did not answer;
      - an acknowledged topic is missing from a broker (lost);
      - a topic name appears twice in one broker's answer (created twice);
      - one name maps to different topic ids on different brokers;
      - a topic was acknowledged twice by the client (the loop itself is wrong)."""
    problems = []
    if len(set(acknowledged)) != len(acknowledged):
        twice = sorted(n for n in set(acknowledged) if acknowledged.count(n) > 1)
        problems.append(f"the client acknowledged a name twice: {twice}")
    ids: dict[str, set[str]] = {}
    for node, view in views.items():
        if not isinstance(view, ClusterMeta):
            problems.append(f"node {node} gave no metadata: {view}")
            continue
        names = [t.name for t in view.topics if t.name and t.name.startswith(prefix)]
        dups = sorted({n for n in names if names.count(n) > 1})
        if dups:
            problems.append(f"node {node} lists these topics more than once: {dups}")
        present = {t.name: t for t in view.topics if t.name and t.name.startswith(prefix) and t.error == 0}
        lost = [n for n in acknowledged if n not in present]
        if lost:
            problems.append(f"node {node} lacks {len(lost)} acknowledged topics: {lost[:10]}")
        for t in present.values():
            ids.setdefault(t.name, set()).add(t.topic_id)
    split = {n: sorted(s) for n, s in ids.items() if len(s) > 1}
    if split:
        problems.append(f"topics with more than one id across brokers: {split}")
    zero = sorted(n for n, s in ids.items() if "0" * 32 in s)
    if zero:
        problems.append(f"topics with the zero id: {zero}")
    return problems


def check_record_history(acknowledged: set, consumed: list, sent: set | None = None) -> list[str]:
    """Every acknowledged record consumed exactly once, and nothing consumed that was not sent.
    `consumed` is every record id read, in order, duplicates included; `sent` (default: the
    acknowledged ones) may hold records whose acknowledgement was lost: those may be read, once."""
    problems = []
    counts: dict = {}
    for k in consumed:
        counts[k] = counts.get(k, 0) + 1
    dup = sorted(k for k, n in counts.items() if n > 1)
    if dup:
        problems.append(f"{len(dup)} records read more than once, e.g. {dup[:5]}")
    lost = sorted(k for k in acknowledged if k not in counts)
    if lost:
        problems.append(f"{len(lost)} acknowledged records never read, e.g. {lost[:5]}")
    alien = sorted(k for k in counts if k not in (acknowledged if sent is None else sent))
    if alien:
        problems.append(f"{len(alien)} records read that were not sent, e.g. {alien[:5]}")
    return problems
