"""Consumer-group edge cases: cooperative-sticky incremental rebalances seen through librdkafka's
rebalance callbacks, and hostile or broken group requests sent as raw wire bytes, which must get
the error code Kafka 4.x's group coordinator answers (never a crash). After every hostile case the
broker must still serve a normal produce and consume.

Raw requests use non-flexible versions (JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v7,
OffsetFetch v5, DescribeGroups v4) plus OffsetCommit v9 (flexible) for the version-dependent error.
"""

import socket
import time

import pytest

from itest import rdkafka
from itest.kip848_wire import carr, cstr, flex_call
from itest.wire import Connection, array, frame, i8, i16, i32, i64, nbytes, request_header, string
from test_consumer_groups import GROUP_OVERRIDES, assigned, complete_and_disjoint, group_consumer, poll_all

NONE, UNKNOWN_SERVER_ERROR, UNKNOWN_TOPIC_OR_PARTITION = 0, -1, 3
ILLEGAL_GENERATION, INVALID_GROUP_ID, UNKNOWN_MEMBER_ID, INVALID_SESSION_TIMEOUT = 22, 24, 25, 26
REBALANCE_IN_PROGRESS, GROUP_ID_NOT_FOUND, MEMBER_ID_REQUIRED = 27, 69, 79
LOADING = (14, 15, 16)  # COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR


@pytest.fixture(scope="module")
def gbroker(module_brokers):
    return module_brokers(GROUP_OVERRIDES)


# --- cooperative-sticky with real clients ---------------------------------------------------

class Tracked:
    """A cooperative-sticky consumer recording every incremental assign/revoke it is told of."""

    def __init__(self, bootstrap, group, topic, name):
        self.name, self.events = name, []
        self.c = group_consumer(bootstrap, group, **{"partition.assignment.strategy": "cooperative-sticky"})
        self.c.subscribe([topic], on_assign=self._cb("assign"), on_revoke=self._cb("revoke"))

    def _cb(self, kind):
        # confluent-kafka calls incremental_assign/unassign itself after a cooperative callback.
        return lambda consumer, parts: self.events.append((kind, {p.partition for p in parts}))

    def owned(self):
        return {p for _, p in assigned(self.c)}


def check_incremental(members, before):
    """Every partition a member held before and after was never revoked from (nor re-assigned
    to) it; it was revoked exactly the partitions it lost, and assigned exactly those it gained."""
    for m in members:
        was, now = before.get(m.name, set()), m.owned()
        revoked = set().union(*[p for k, p in m.events if k == "revoke"])
        added = set().union(*[p for k, p in m.events if k == "assign"])
        assert not revoked & was & now, f"{m.name} had kept partitions revoked: {m.events}"
        assert revoked == was - now, (m.name, was, now, m.events)
        assert added == now - was, (m.name, was, now, m.events)


def test_cooperative_sticky_rebalance_keeps_unaffected_partitions(gbroker, topic_name):
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 6)
    group = "g-" + topic_name
    a, b = Tracked(gbroker.bootstrap, group, topic_name, "a"), Tracked(gbroker.bootstrap, group, topic_name, "b")
    members = [a, b]
    consumers = lambda: [m.c for m in members]  # noqa: E731
    try:
        assert poll_all(consumers(), 45, until=lambda: complete_and_disjoint(consumers(), topic_name, 6))
        poll_all(consumers(), 2)
        assert complete_and_disjoint(consumers(), topic_name, 6)
        # A third member joins: each of a and b gives up one partition, and nothing else moves.
        before = {m.name: m.owned() for m in members}
        for m in members:
            m.events.clear()
        members.append(Tracked(gbroker.bootstrap, group, topic_name, "c"))
        assert poll_all(consumers(), 45, until=lambda: complete_and_disjoint(consumers(), topic_name, 6)
                        and all(len(m.owned()) == 2 for m in members)), [m.owned() for m in members]
        poll_all(consumers(), 3)  # settled: no further movement
        assert complete_and_disjoint(consumers(), topic_name, 6)
        check_incremental(members, before)
        assert all(len(before[n]) == 3 for n in "ab") and all(len(m.owned()) == 2 for m in members)
        # c leaves cleanly: its two partitions go to a and b, who keep what they had.
        before = {m.name: m.owned() for m in members[:2]}
        for m in members:
            m.events.clear()
        members.pop().c.close()
        assert poll_all(consumers(), 45, until=lambda: complete_and_disjoint(consumers(), topic_name, 6))
        poll_all(consumers(), 3)
        assert complete_and_disjoint(consumers(), topic_name, 6)
        check_incremental(members, before)
        assert all(not [e for e in m.events if e[0] == "revoke" and e[1]] for m in members), \
            [m.events for m in members]
    finally:
        for m in members:
            m.c.close()


# --- raw requests ------------------------------------------------------------------------------

def skip_bytes(r):
    """Skips a BYTES field of a wire.Reader; returns its length (-1: null)."""
    n = r.i32()
    r.pos += max(n, 0)
    return n


def join_v5(conn, group, member_id, metadata, session_ms=10000):
    """JoinGroup v5 (protocol type consumer, one "range" protocol). Returns (error, generation,
    member id, the size of each member's metadata)."""
    body = (string(group) + i32(session_ms) + i32(30000) + string(member_id) + string(None)
            + string("consumer") + array([string("range") + nbytes(metadata)]))
    _, r = conn.request(11, 5, body)
    r.i32()
    err, gen, _, _, mid = r.i16(), r.i32(), r.string(), r.string(), r.string()

    def member(x):
        x.string(), x.string()
        return skip_bytes(x)
    return err, gen, mid, r.array(member)


def sync_v3(conn, group, generation, member_id, assignments=()):
    body = (string(group) + i32(generation) + string(member_id) + string(None)
            + array([string(m) + nbytes(a) for m, a in assignments]))
    _, r = conn.request(14, 3, body)
    r.i32()
    return r.i16()


def heartbeat_v3(conn, group, generation, member_id):
    _, r = conn.request(12, 3, string(group) + i32(generation) + string(member_id) + string(None))
    r.i32()
    return r.i16()


def commit_v7(conn, group, generation, member_id, topic, partition, offset=5):
    part = i32(partition) + i64(offset) + i32(-1) + string(None)
    body = string(group) + i32(generation) + string(member_id) + string(None) + array([string(topic) + array([part])])
    _, r = conn.request(8, 7, body)
    r.i32()
    ((_, ((_, err),)),) = r.array(lambda t: (t.string(), t.array(lambda p: (p.i32(), p.i16()))))
    return err


def commit_v9(conn, group, generation, member_id, topic, partition):
    part = i32(partition) + i64(5) + i32(-1) + cstr(None) + b"\x00"
    body = cstr(group) + i32(generation) + cstr(member_id) + cstr(None) + carr([cstr(topic) + carr([part]) + b"\x00"]) + b"\x00"
    r = flex_call(conn, 8, 9, body)
    r.i32()

    def topic_(t):
        t.cstr()
        ps = t.carr(lambda p: (p.i32(), p.i16(), p.tags())[1])
        t.tags()
        return ps
    return r.carr(topic_)[0][0]


def fetch_v5(conn, group, topic=None, partitions=()):
    topics = None if topic is None else [string(topic) + array([i32(p) for p in partitions])]
    _, r = conn.request(9, 5, string(group) + array(topics))
    r.i32()
    got = r.array(lambda t: (t.string(), t.array(lambda p: (p.i32(), p.i64(), p.i32(), p.string(), p.i16()))))
    return r.i16(), {(name, p[0]): (p[1], p[4]) for name, ps in got for p in ps}


def describe_v4(conn, group):
    _, r = conn.request(15, 4, array([string(group)]) + i8(0))
    r.i32()

    def g(x):
        d = {"error": x.i16(), "group": x.string(), "state": x.string(), "protocol_type": x.string(),
             "protocol": x.string()}
        d["members"] = x.array(lambda m: (m.string(), m.string(), m.string(), m.string(), skip_bytes(m),
                                          skip_bytes(m)))
        x.i32()
        return d
    return r.array(g)[0]


def wait_coordinator(conn, group):
    """FindCoordinator (creates __consumer_offsets), then wait until the group's partition is
    loaded: a heartbeat for an unknown group stops answering a coordinator error."""
    conn.request(10, 1, string(group) + i8(0))
    deadline = time.monotonic() + 30
    while (err := heartbeat_v3(conn, group, 1, "nobody")) in LOADING and time.monotonic() < deadline:
        time.sleep(0.2)
    return err


def still_serves(broker, topic):
    """A normal produce and consume still work."""
    rdkafka.create_topic(broker.bootstrap, topic, 1)
    rdkafka.produce(broker.bootstrap, topic, 20)
    assert rdkafka.consume_verify(broker.bootstrap, topic, 20, timeout=30) == 20
    assert broker.alive()


def subscription(topics, user_data=b""):
    """A ConsumerProtocol subscription v0."""
    return i16(0) + array([string(t) for t in topics]) + nbytes(user_data)


def test_unknown_group_errors(gbroker, topic_name):
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 2)
    group = "unknown-" + topic_name
    with Connection(gbroker.host, gbroker.port) as conn:
        # Kafka: Heartbeat and SyncGroup of a group that does not exist -> UNKNOWN_MEMBER_ID.
        assert wait_coordinator(conn, group) == UNKNOWN_MEMBER_ID
        assert heartbeat_v3(conn, group, 3, "m-1") == UNKNOWN_MEMBER_ID
        assert sync_v3(conn, group, 3, "m-1", [("m-1", b"")]) == UNKNOWN_MEMBER_ID
        # OffsetCommit with a generation >= 0: ILLEGAL_GENERATION before v9, GROUP_ID_NOT_FOUND from v9.
        assert commit_v7(conn, group, 1, "m-1", topic_name, 0) == ILLEGAL_GENERATION
        assert commit_v9(conn, group, 1, "m-1", topic_name, 0) == GROUP_ID_NOT_FOUND
        # Nothing of this created the group.
        d = describe_v4(conn, group)
        assert d["error"] == NONE and d["state"] == "Dead" and d["members"] == [], d
        assert fetch_v5(conn, group, topic_name, [0, 1]) == (NONE, {(topic_name, 0): (-1, NONE), (topic_name, 1): (-1, NONE)})
        assert fetch_v5(conn, group) == (NONE, {})
        # Generation -1: a "simple" group is created to hold the offsets (manual assignment).
        assert commit_v7(conn, group, -1, "", topic_name, 1, offset=7) == NONE
        assert fetch_v5(conn, group, topic_name, [1])[1] == {(topic_name, 1): (7, NONE)}
        assert describe_v4(conn, group)["state"] == "Empty"
    still_serves(gbroker, topic_name + "-after")


def test_commit_to_missing_topic_or_partition(gbroker, topic_name):
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 2)
    group = "missing-" + topic_name
    with Connection(gbroker.host, gbroker.port) as conn:
        wait_coordinator(conn, group)
        assert commit_v7(conn, group, -1, "", topic_name + "-nope", 0) == UNKNOWN_TOPIC_OR_PARTITION
        assert commit_v7(conn, group, -1, "", topic_name, 2) == UNKNOWN_TOPIC_OR_PARTITION
        assert commit_v7(conn, group, -1, "", topic_name, -1) == UNKNOWN_TOPIC_OR_PARTITION
        assert commit_v7(conn, group, -1, "", topic_name, 1) == NONE
    still_serves(gbroker, topic_name + "-after")


def test_invalid_group_id_and_session_timeout(gbroker, topic_name):
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 1)
    group = "st-" + topic_name
    with Connection(gbroker.host, gbroker.port) as conn:
        wait_coordinator(conn, group)
        assert join_v5(conn, "", "", subscription([topic_name]))[0] == INVALID_GROUP_ID
        assert heartbeat_v3(conn, "", 1, "m") == INVALID_GROUP_ID
        assert sync_v3(conn, "", 1, "m") == INVALID_GROUP_ID
        assert commit_v7(conn, "", -1, "", topic_name, 0) == INVALID_GROUP_ID
        assert fetch_v5(conn, "", topic_name, [0])[0] == INVALID_GROUP_ID
        # group.min.session.timeout.ms = 6000 and group.max.session.timeout.ms = 1800000 (defaults).
        for session in (5999, 0, -1, 1800001):
            assert join_v5(conn, group, "", subscription([topic_name]), session)[0] == INVALID_SESSION_TIMEOUT, session
        assert describe_v4(conn, group)["state"] == "Dead"  # the refused joins left no group
    # The same through librdkafka: the join error reaches the application.
    c = group_consumer(gbroker.bootstrap, group, **{"session.timeout.ms": 1000, "heartbeat.interval.ms": 100})
    try:
        c.subscribe([topic_name])
        errors = []
        deadline = time.monotonic() + 20
        while not errors and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and m.error() is not None:
                errors.append(m.error())
        assert errors and errors[0].code() == INVALID_SESSION_TIMEOUT, errors
    finally:
        c.close()
    still_serves(gbroker, topic_name + "-after")


def test_oversized_member_metadata(gbroker, topic_name):
    """Kafka accepts the JoinGroup (socket.request.max.bytes is 100 MB), but the group record
    written at SyncGroup is larger than __consumer_offsets' max.message.bytes (1048588): the
    append fails with MESSAGE_TOO_LARGE, which the coordinator answers as UNKNOWN_SERVER_ERROR."""
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 2)
    group = "big-" + topic_name
    metadata = subscription([topic_name], b"x" * (3 << 20))
    with Connection(gbroker.host, gbroker.port, timeout=60) as conn:
        wait_coordinator(conn, group)
        err, _, member, _ = join_v5(conn, group, "", metadata)
        assert err == MEMBER_ID_REQUIRED and member
        err, gen, mid, sizes = join_v5(conn, group, member, metadata)
        assert err == NONE and mid == member and sizes == [len(metadata)], (err, sizes)
        assert sync_v3(conn, group, gen, member, [(member, b"\x00\x00" + i32(0) + i32(-1))]) == UNKNOWN_SERVER_ERROR
        # Nothing was stored: the group rebalances again, it is not Stable with a lost record.
        assert heartbeat_v3(conn, group, gen, member) == REBALANCE_IN_PROGRESS
        assert describe_v4(conn, group)["state"] != "Stable"
        # A member with normal metadata can still form the group (the big one is dropped once
        # its session expires or it rejoins small).
        err, gen, _, sizes = join_v5(conn, group, member, subscription([topic_name]))
        assert err == NONE, err
        assert sync_v3(conn, group, gen, member, [(member, b"\x00\x00" + i32(0) + i32(-1))]) == NONE
        assert describe_v4(conn, group)["state"] == "Stable"
    still_serves(gbroker, topic_name + "-after")


def test_truncated_join_group_frame(gbroker, topic_name):
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 1)
    group = "cut-" + topic_name
    body = (string(group) + i32(10000) + i32(30000) + string("") + string(None)
            + string("consumer") + array([string("range") + nbytes(subscription([topic_name]))]))
    whole = frame(request_header(11, 5, 7) + body)
    # 1. A complete frame whose JoinGroup body stops mid-field: the broker closes the connection.
    for cut in (6, len(body) // 2, len(body) - 3):
        with Connection(gbroker.host, gbroker.port) as conn:
            conn.send_raw(frame(request_header(11, 5, 7) + body[:cut]))
            assert conn.closed_by_peer(10), cut
    # 2. The frame itself cut short and the client gone: the broker drops the half request.
    for cut in (2, 20, len(whole) // 2, len(whole) - 1):
        s = socket.create_connection((gbroker.host, gbroker.port), timeout=10)
        s.sendall(whole[:cut])
        s.close()
    # 3. A length prefix far beyond socket.request.max.bytes: refused, connection closed.
    with Connection(gbroker.host, gbroker.port) as conn:
        conn.send_raw(i32(0x7FFFFFF0) + request_header(11, 5, 7) + body)
        assert conn.closed_by_peer(10)
    with Connection(gbroker.host, gbroker.port) as conn:
        wait_coordinator(conn, group)
        err, _, member, _ = join_v5(conn, group, "", subscription([topic_name]))
        assert err == MEMBER_ID_REQUIRED
        err, gen, _, _ = join_v5(conn, group, member, subscription([topic_name]))
        assert err == NONE
        assert sync_v3(conn, group, gen, member, [(member, b"")]) == NONE
    still_serves(gbroker, topic_name + "-after")
