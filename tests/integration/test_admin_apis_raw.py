"""Admin APIs over raw requests, for what no client library exposes: CreateTopics v7 (topic id,
counts and configs of the new topic, duplicate names), DeleteTopics v6 by topic id,
DescribeConfigs errors, key filters, synonyms and BROKER_LOGGER, DescribeCluster endpoint types
and authorized operations, InitProducerId re-initialisation and transactional ids."""

import struct
import uuid

from confluent_kafka.admin import AdminClient

from itest.kip848_wire import Flex as FlexReader
from itest.kip848_wire import carr as carray
from itest.kip848_wire import cstr as cstring
from itest.kip848_wire import uvarint
from itest.wire import Connection, array, frame, i8, i16, i32, i64, request_header, string

NODE_ID = 1  # the fixture starts the broker with node.id=1

# Kafka error codes used below.
UNKNOWN_TOPIC_OR_PARTITION = 3
NOT_COORDINATOR = 16
INVALID_TOPIC_EXCEPTION = 17
INVALID_PARTITIONS = 37
INVALID_REQUEST = 42
UNKNOWN_TOPIC_ID = 100
MISMATCHED_ENDPOINT_TYPE = 114
UNSUPPORTED_ENDPOINT_TYPE = 115


def connect(broker) -> Connection:
    host, port = broker.bootstrap.rsplit(":", 1)
    return Connection(host, int(port))


def topic_exists(bootstrap: str, topic: str) -> bool:
    t = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics.get(topic)
    return t is not None and t.error is None


# ---------------------------------------------------------------- raw flexible-version codec

TAGS = b"\x00"


def flex_request(conn: Connection, api_key: int, version: int, body: bytes) -> FlexReader:
    conn.send_raw(frame(request_header(api_key, version, 7) + TAGS + body))
    resp = conn.read_frame()
    assert resp is not None, "broker closed the connection"
    r = FlexReader(resp)
    assert r.i32() == 7
    r.tags()  # response header v1
    return r


def create_topics_v7(conn, topics: list[tuple[str, int, int]], validate_only=False):
    """Returns [(name, topic_id, error, message, num_partitions, rf, {config: (value, source)})]."""
    body = carray([cstring(n) + i32(p) + i16(rf) + carray([]) + carray([]) + TAGS for n, p, rf in topics])
    r = flex_request(conn, 19, 7, body + i32(30000) + i8(1 if validate_only else 0) + TAGS)
    r.i32()  # throttle

    def config(c):
        name, value, read_only, source, sensitive = c.cstring(), c.cstring(), c.i8(), c.i8(), c.i8()
        c.tags()
        return name, (value, source)

    def topic(t):
        name, tid, err, msg = t.cstring(), t.uuid(), t.i16(), t.cstring()
        n, rf = t.i32(), t.i16()
        configs = t.carray(config)
        t.tags()
        return name, tid, err, msg, n, rf, dict(configs or [])
    return r.carray(topic)


def delete_topics_v6(conn, entries: list[tuple[str | None, bytes]]):
    """entries: (name or None, 16-byte id). Returns [(name, id, error, message)]."""
    body = carray([cstring(n) + tid + TAGS for n, tid in entries]) + i32(30000) + TAGS
    r = flex_request(conn, 20, 6, body)
    r.i32()

    def result(t):
        v = (t.cstring(), t.uuid(), t.i16(), t.cstring())
        t.tags()
        return v
    return r.carray(result)


def describe_cluster_v1(conn, endpoint_type: int, include_ops=False):
    r = flex_request(conn, 60, 1, i8(1 if include_ops else 0) + i8(endpoint_type) + TAGS)
    r.i32()
    err, msg, etype, cluster_id, controller = r.i16(), r.cstring(), r.i8(), r.cstring(), r.i32()

    def broker(b):
        v = (b.i32(), b.cstring(), b.i32(), b.cstring())
        b.tags()
        return v
    brokers = r.carray(broker)
    ops = r.i32()
    return err, msg, etype, cluster_id, controller, brokers, ops


def init_producer_id_v1(conn, transactional_id: str | None, timeout_ms: int = 60000):
    _, r = conn.request(22, 1, string(transactional_id) + i32(timeout_ms))
    r.i32()
    return r.i16(), r.i64(), r.i16()


def init_producer_id_v4(conn, producer_id: int, epoch: int):
    r = flex_request(conn, 22, 4, cstring(None) + i32(60000) + i64(producer_id) + i16(epoch) + TAGS)
    r.i32()
    return r.i16(), r.i64(), r.i16()


def test_create_v7_returns_id_counts_and_configs(broker, topic_name):
    with connect(broker) as c:
        (res,) = create_topics_v7(c, [(topic_name, 2, 1)])
        name, tid, err, msg, n, rf, configs = res
        assert (name, err, msg, n, rf) == (topic_name, 0, None, 2, 1)
        assert tid != bytes(16)
        assert configs["cleanup.policy"] == ("delete", 5)  # DEFAULT_CONFIG
        assert configs["retention.ms"][0] == "604800000"

        # Same name twice in one request: INVALID_REQUEST for it, the other topic is created.
        other = topic_name + "-b"
        res = {r[0]: r for r in create_topics_v7(c, [("dup-x", 1, 1), ("dup-x", 1, 1), (other, 1, 1)])}
        assert res["dup-x"][2:4] == (INVALID_REQUEST, "Duplicate topic name.")
        assert res[other][2] == 0
        assert not topic_exists(broker.bootstrap, "dup-x")

        # validate_only answers like a real creation but creates nothing.
        (res,) = create_topics_v7(c, [(topic_name + "-v", 4, 1)], validate_only=True)
        assert res[2] == 0 and res[4] == 4
        (res,) = create_topics_v7(c, [(topic_name + "-z", 0, 1)])
        assert res[2:4] == (INVALID_PARTITIONS, "Number of partitions was set to an invalid non-positive value.")
    assert not topic_exists(broker.bootstrap, topic_name + "-v")


def test_delete_topics_by_id_v6(broker, topic_name):
    with connect(broker) as c:
        ((_, tid, err, *_),) = create_topics_v7(c, [(topic_name, 1, 1)])
        assert err == 0
        missing = uuid.uuid4().bytes
        res = delete_topics_v6(c, [(None, tid), (None, missing), (None, bytes(16)), ("nope-" + topic_name, bytes(16))])
        by_id = {r[1]: r for r in res if r[1] != bytes(16)}
        assert by_id[tid][0] == topic_name and by_id[tid][2] == 0
        assert by_id[missing][2] == UNKNOWN_TOPIC_ID
        errors = sorted(r[2] for r in res if r[1] == bytes(16))
        assert errors == [UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST]
    assert not topic_exists(broker.bootstrap, topic_name)


def describe_configs_v1(conn, resources: list[tuple[int, str, list[str] | None]]):
    """Returns [(error, message, type, name, {config: (value, read_only, source, synonyms)})]."""
    body = array([i8(t) + string(n) + (array([string(k) for k in keys]) if keys is not None else i32(-1))
                  for t, n, keys in resources]) + i8(1)  # include_synonyms
    _, r = conn.request(32, 1, body)
    r.i32()

    def entry(e):
        name, value, read_only, source, _sensitive = e.string(), e.string(), e.i8(), e.i8(), e.i8()
        synonyms = e.array(lambda s: (s.string(), s.string(), s.i8()))
        return name, (value, read_only, source, synonyms)

    def result(x):
        err, msg, rtype, name = x.i16(), x.string(), x.i8(), x.string()
        return err, msg, rtype, name, dict(x.array(entry))
    return r.array(result)


def test_describe_configs_raw_errors_and_synonyms(broker, topic_name):
    with connect(broker) as c:
        assert create_topics_v7(c, [(topic_name, 1, 1)])[0][2] == 0
        res = describe_configs_v1(c, [(4, "42", None), (4, "one", None), (2, "bad/name", None),
                                      (4, str(NODE_ID), ["log.retention.ms", "log.retention.hours"]),
                                      (2, topic_name, ["retention.ms"]), (4, "", None), (8, str(NODE_ID), None)])
        assert res[0][:2] == (INVALID_REQUEST, f"Unexpected broker id, expected {NODE_ID} or empty string, "
                                               "but received 42")
        assert res[1][:2] == (INVALID_REQUEST, "Broker id must be an integer, but it is: one")
        assert res[2][0] == INVALID_TOPIC_EXCEPTION
        broker_configs = res[3][4]
        assert sorted(broker_configs) == ["log.retention.hours", "log.retention.ms"]
        # retention.ms inherits log.retention.hours: the synonyms say so, highest precedence first.
        value, read_only, source, synonyms = res[4][4]["retention.ms"]
        assert (value, read_only, source) == ("604800000", 0, 5)
        assert [s[0] for s in synonyms] == ["log.retention.hours"]
        assert res[5][0] == 0 and res[5][4] == {}  # nothing set cluster-wide
        assert res[6][0] == 0 and res[6][4]["root"][0] == "INFO"


def test_describe_cluster_endpoint_types(broker):
    with connect(broker) as c:
        err, msg, etype, cluster_id, controller, brokers, ops = describe_cluster_v1(c, 1)
        assert (err, etype, controller) == (0, 1, NODE_ID)
        assert cluster_id and [b[0] for b in brokers] == [NODE_ID]
        assert ops == -2**31  # not requested
        # No authorizer: every operation a cluster supports (CREATE, ALTER, DESCRIBE,
        # CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE).
        assert describe_cluster_v1(c, 1, include_ops=True)[6] == sum(1 << op for op in (5, 7, 8, 9, 10, 11, 12))
        err, msg, *_ = describe_cluster_v1(c, 2)
        assert err == MISMATCHED_ENDPOINT_TYPE
        err, msg, *_ = describe_cluster_v1(c, 9)
        assert (err, msg) == (UNSUPPORTED_ENDPOINT_TYPE, "Unsupported endpoint type 9")


def test_init_producer_id_raw(broker):
    with connect(broker) as c:
        err, pid1, epoch = init_producer_id_v1(c, None)
        assert (err, epoch) == (0, 0) and pid1 >= 0
        err, pid2, epoch = init_producer_id_v1(c, None)
        assert err == 0 and pid2 > pid1
        # KIP-360 re-initialisation of an idempotent producer: a fresh id, epoch 0.
        err, pid3, epoch = init_producer_id_v4(c, pid2, 0)
        assert err == 0 and pid3 > pid2 and epoch == 0
        assert init_producer_id_v4(c, pid2, -1) == (INVALID_REQUEST, -1, -1)
        # No transaction coordinator: as a Kafka broker that does not own the id.
        assert init_producer_id_v1(c, "txn-1") == (NOT_COORDINATOR, -1, -1)
        assert init_producer_id_v1(c, "")[0] == INVALID_REQUEST

