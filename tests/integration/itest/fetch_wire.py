"""Raw Fetch requests for tests that must choose a fetch session's id and epoch themselves:
Fetch v11 (the last version by topic name, non-flexible) and v13 (topic ids, flexible), and
Metadata v12 for a topic's id."""

from dataclasses import dataclass, field

from .kip848_wire import Flex, carr, cstr
from .wire import Connection, array, frame, i8, i32, i64, request_header, string

API_FETCH = 1
API_METADATA = 3

NONE = 0
OFFSET_OUT_OF_RANGE = 1
UNKNOWN_TOPIC_OR_PARTITION = 3
FETCH_SESSION_ID_NOT_FOUND = 70
INVALID_FETCH_SESSION_EPOCH = 71
UNKNOWN_TOPIC_ID = 100
FETCH_SESSION_TOPIC_ID_ERROR = 106


@dataclass
class Part:
    error: int
    high_watermark: int
    log_start_offset: int
    records: bytes


@dataclass
class FetchAnswer:
    error: int
    session_id: int
    # {(topic name or id bytes, partition): Part}; partitions an incremental answer left out are
    # absent.
    parts: dict = field(default_factory=dict)


def _by_topic(items) -> dict:
    """[(topic, encoded partition)] -> {topic: [encoded partitions]}, in first-seen order."""
    out: dict = {}
    for topic, part in items:
        out.setdefault(topic, []).append(part)
    return out


def fetch_v11(conn: Connection, partitions: list[tuple[str, int, int]], *, session_id: int = 0,
              session_epoch: int = -1, forgotten: list[tuple[str, int]] = (), max_wait_ms: int = 0,
              min_bytes: int = 0) -> FetchAnswer:
    """partitions: [(topic, partition, fetch offset)]; forgotten: [(topic, partition)]."""
    by_topic = _by_topic((t, i32(p) + i32(-1) + i64(off) + i64(-1) + i32(1 << 20)) for t, p, off in partitions)
    forgot = _by_topic((t, i32(p)) for t, p in forgotten)
    body = (i32(-1) + i32(max_wait_ms) + i32(min_bytes) + i32(1 << 20) + i8(0) + i32(session_id)
            + i32(session_epoch) + array([string(t) + array(ps) for t, ps in by_topic.items()])
            + array([string(t) + array(ps) for t, ps in forgot.items()]) + string(""))
    _, r = conn.request(API_FETCH, 11, body)
    r.i32()  # throttle
    ans = FetchAnswer(r.i16(), r.i32())

    def topic(t):
        name = t.string()

        def part(p):
            idx, perr, hw = p.i32(), p.i16(), p.i64()
            p.i64()  # last stable offset
            lso = p.i64()
            p.array(lambda a: (a.i64(), a.i64()))  # aborted transactions
            p.i32()  # preferred read replica
            n = p.i32()
            data = b"" if n < 0 else p.data[p.pos:p.pos + n]
            p.pos += max(n, 0)
            ans.parts[(name, idx)] = Part(perr, hw, lso, data)

        t.array(part)

    r.array(topic)
    return ans


def _flex_request(conn: Connection, api_key: int, version: int, body: bytes) -> Flex:
    corr = conn.next_correlation
    conn.next_correlation += 1
    conn.send_raw(frame(request_header(api_key, version, corr) + b"\x00" + body))
    data = conn.read_frame()
    if data is None:
        raise ConnectionError("broker closed the connection instead of answering")
    r = Flex(data)
    assert r.i32() == corr
    r.tags()
    return r


def fetch_v13(conn: Connection, partitions: list[tuple[bytes, int, int]], *, session_id: int = 0,
              session_epoch: int = -1, forgotten: list[tuple[bytes, int]] = ()) -> FetchAnswer:
    """partitions: [(topic id, partition, fetch offset)]; forgotten: [(topic id, partition)]."""
    by_topic = _by_topic((tid, i32(p) + i32(-1) + i64(off) + i32(-1) + i64(-1) + i32(1 << 20) + b"\x00")
                         for tid, p, off in partitions)
    forgot = _by_topic((tid, i32(p)) for tid, p in forgotten)
    body = (i32(-1) + i32(0) + i32(0) + i32(1 << 20) + i8(0) + i32(session_id) + i32(session_epoch)
            + carr([tid + carr(ps) + b"\x00" for tid, ps in by_topic.items()])
            + carr([tid + carr(ps) + b"\x00" for tid, ps in forgot.items()]) + cstr("") + b"\x00")
    r = _flex_request(conn, API_FETCH, 13, body)
    r.i32()  # throttle
    ans = FetchAnswer(r.i16(), r.i32())

    def topic(t):
        tid = t.uuid()

        def part(p):
            idx, perr, hw = p.i32(), p.i16(), p.i64()
            p.i64()  # last stable offset
            lso = p.i64()

            def aborted(a):
                a.i64(), a.i64()
                a.tags()

            p.carr(aborted)
            p.i32()  # preferred read replica
            n = p.uvarint()
            data = b"" if n == 0 else p.take(n - 1)
            p.tags()
            ans.parts[(tid, idx)] = Part(perr, hw, lso, data)

        t.carr(part)
        t.tags()

    r.carr(topic)
    return ans


def topic_id(conn: Connection, topic: str) -> bytes:
    """The topic's id, from Metadata v12."""
    body = carr([b"\x00" * 16 + cstr(topic) + b"\x00"]) + i8(0) + i8(0) + b"\x00"
    r = _flex_request(conn, API_METADATA, 12, body)
    r.i32()  # throttle

    def broker(b):
        b.i32(), b.cstr(), b.i32(), b.cstr()
        b.tags()

    r.carr(broker)
    r.cstr()  # cluster id
    r.i32()  # controller id
    found = {}

    def one_topic(t):
        err, name, tid = t.i16(), t.cstr(), t.uuid()
        t.i8()  # is internal

        def part(p):
            p.i16(), p.i32(), p.i32(), p.i32()
            for _ in range(3):
                p.carr(lambda x: x.i32())
            p.tags()

        t.carr(part)
        t.i32()  # authorized operations
        t.tags()
        found[name] = (err, tid)

    r.carr(one_topic)
    err, tid = found[topic]
    assert err == 0, f"Metadata error {err} for {topic}"
    return tid

