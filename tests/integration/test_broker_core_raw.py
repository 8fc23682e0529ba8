"""Broker-core behaviour no client library exposes directly: version floors (KIP-896 and the
Produce v0-2 quirk), Fetch long polling and graceful SIGTERM. Fetch sessions: test_fetch_sessions_raw.py."""

import threading
import time

from itest import rdkafka
from itest.fetch_wire import OFFSET_OUT_OF_RANGE, fetch_v11
from itest.record_batch import encode_batch
from itest.requests import produce_v7
from itest.wire import Connection, array, i16, i32, i64, nbytes, string
from test_consumer_group_edge_cases import MEMBER_ID_REQUIRED, UNKNOWN_MEMBER_ID, join_v5, wait_coordinator

API_PRODUCE = 0
API_FETCH = 1
UNSUPPORTED_VERSION = 35
NOT_COORDINATOR = 16


def now_ms() -> int:
    return int(time.time() * 1000)


def test_produce_v2_is_advertised_but_refused(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    with Connection(broker.host, broker.port) as c:
        batch = encode_batch([(b"k", b"v")], now_ms())
        body = i16(1) + i32(30000) + array([string(topic_name) + array([i32(0) + nbytes(batch)])])
        _, r = c.request(API_PRODUCE, 2, body)
        (_, parts), = r.array(lambda t: (t.string(), t.array(lambda p: (p.i32(), p.i16(), p.i64(), p.i64()))))
        (_, err, base, _), = parts
        assert err == UNSUPPORTED_VERSION and base == -1
        # The connection stays usable and nothing was appended.
        assert produce_v7(c, topic_name, 0, batch) == (0, 0)


def test_fetch_v3_closes_connection(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    with Connection(broker.host, broker.port) as c:
        body = i32(-1) + i32(0) + i32(0) + i32(1 << 20) + array(
            [string(topic_name) + array([i32(0) + i64(0) + i32(1 << 20)])])
        from itest.wire import frame, request_header
        c.send_raw(frame(request_header(API_FETCH, 3, 1) + body))
        assert c.closed_by_peer()


def test_fetch_long_poll_wakes_on_append(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    # An append 300 ms into a 5 s long poll must end the poll early with the data.
    def produce_later():
        time.sleep(0.3)
        with Connection(broker.host, broker.port) as p:
            assert produce_v7(p, topic_name, 0, encode_batch([(b"k", b"late")], now_ms()))[0] == 0

    t = threading.Thread(target=produce_later)
    with Connection(broker.host, broker.port) as c:
        start = time.monotonic()
        t.start()
        a = fetch_v11(c, [(topic_name, 0, 0)], max_wait_ms=5000, min_bytes=1)
        elapsed = time.monotonic() - start
    t.join()
    assert a.error == 0
    p = a.parts[(topic_name, 0)]
    assert p.error == 0 and p.high_watermark == 1 and b"late" in p.records
    assert 0.25 < elapsed < 2.5, elapsed


def test_fetch_long_poll_wakes_when_min_bytes_fill_up(broker, topic_name):
    """Some bytes at once but fewer than min_bytes: the poll waits for more, and an append that
    brings it over min_bytes ends it (not max_wait_ms)."""
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    first = encode_batch([(b"k", b"first")], now_ms())
    with Connection(broker.host, broker.port) as p:
        assert produce_v7(p, topic_name, 0, first)[0] == 0

    def produce_later():
        time.sleep(0.5)
        with Connection(broker.host, broker.port) as p:
            assert produce_v7(p, topic_name, 0, encode_batch([(b"k", b"second")], now_ms()))[0] == 0

    t = threading.Thread(target=produce_later)
    with Connection(broker.host, broker.port) as c:
        start = time.monotonic()
        t.start()
        a = fetch_v11(c, [(topic_name, 0, 0)], max_wait_ms=8000, min_bytes=len(first) + 1)
        elapsed = time.monotonic() - start
    t.join()
    p = a.parts[(topic_name, 0)]
    assert a.error == 0 and p.error == 0 and b"second" in p.records
    assert 0.45 < elapsed < 4, elapsed


def test_fetch_long_poll_times_out_empty(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    with Connection(broker.host, broker.port) as c:
        start = time.monotonic()
        a = fetch_v11(c, [(topic_name, 0, 0)], max_wait_ms=400, min_bytes=1)
        elapsed = time.monotonic() - start
    p = a.parts[(topic_name, 0)]
    assert a.error == 0 and p.error == 0 and p.records == b""
    assert 0.35 < elapsed < 3, elapsed


def test_fetch_out_of_range(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    with Connection(broker.host, broker.port) as c:
        a = fetch_v11(c, [(topic_name, 0, 42)])
    assert a.parts[(topic_name, 0)].error == OFFSET_OUT_OF_RANGE


def test_sigterm_shuts_down_gracefully(broker_factory, topic_name):
    b = broker_factory()
    rdkafka.create_topic(b.bootstrap, topic_name, 1)
    rdkafka.wait_topic_ready(b.bootstrap, topic_name, 1)
    with Connection(b.host, b.port) as c:
        for i in range(10):
            assert produce_v7(c, topic_name, 0, encode_batch([(b"k", b"v%d" % i)], now_ms()))[0] == 0
    start = time.monotonic()
    code = b.stop(timeout=10)
    assert code == 0, b.log_tail()  # exited by itself on SIGTERM (a SIGKILL would be -9)
    assert time.monotonic() - start < 5
    assert "shutting down" in b.log_tail()
    b.start()
    got = rdkafka.fetch_all(b.bootstrap, topic_name, 0, 10)
    assert [got[i][1] for i in range(10)] == [b"v%d" % i for i in range(10)]


def test_sigterm_cuts_long_polls_and_group_joins_short(broker_factory, topic_name):
    """SIGTERM while Fetches long-poll (max_wait_ms 30 s) on partitions of both cores and a
    JoinGroup waits for its rebalance (initial delay 60 s): shutdown wakes them and answers them
    before closing the sockets, so the broker does not wait out their timeouts; it joins every
    task it owns (requests, connections, the logs' writer/flusher/sealer, the background loops)
    and exits 0 in well under 3 s, and no "no task outlives its owner" assertion fires."""
    b = broker_factory({"offsets.topic.replication.factor": "1", "group.initial.rebalance.delay.ms": "60000"})
    rdkafka.create_topic(b.bootstrap, topic_name, 4)
    rdkafka.wait_topic_ready(b.bootstrap, topic_name, 4)
    group = "g-" + topic_name
    with Connection(b.host, b.port) as c:
        assert wait_coordinator(c, group) == UNKNOWN_MEMBER_ID  # the group's partition is loaded
        err, _, member, _ = join_v5(c, group, "", b"", session_ms=45000)
        assert err == MEMBER_ID_REQUIRED

    ended = {}  # what -> seconds after SIGTERM when its answer came
    answers = {}
    sigterm_at = [None]

    def waiting(what, call):
        with Connection(b.host, b.port, timeout=60) as conn:
            try:
                answers[what] = call(conn)
            except (OSError, ConnectionError) as e:
                answers[what] = e  # closed without the answer: not graceful
            ended[what] = time.monotonic() - (sigterm_at[0] or time.monotonic())

    threads = [threading.Thread(target=waiting, args=(f"fetch-{p}", lambda conn, p=p: fetch_v11(
        conn, [(topic_name, p, 0)], max_wait_ms=30000, min_bytes=1))) for p in range(4)]
    threads.append(threading.Thread(target=waiting, args=("fetch-all", lambda conn: fetch_v11(
        conn, [(topic_name, p, 0) for p in range(4)], max_wait_ms=30000, min_bytes=1))))
    threads.append(threading.Thread(target=waiting, args=("join", lambda conn: join_v5(
        conn, group, member, b"", session_ms=45000))))
    for t in threads:
        t.start()
    time.sleep(1.0)
    assert not ended, f"requests ended before SIGTERM: {ended}"  # all of them are waiting
    sigterm_at[0] = time.monotonic()
    code = b.stop(timeout=20)
    elapsed = time.monotonic() - sigterm_at[0]
    for t in threads:
        t.join(timeout=10)
    log = b.log_tail(200)
    assert code == 0, log
    assert elapsed < 3, (elapsed, log)
    assert "assertion failed" not in log, log
    assert sorted(ended) == sorted(["fetch-0", "fetch-1", "fetch-2", "fetch-3", "fetch-all", "join"]), ended
    assert max(ended.values()) < 3, ended
    # Answered before the sockets closed: the Fetches with what there is (nothing), the
    # JoinGroup with NOT_COORDINATOR (the client looks for the coordinator again).
    for what, a in answers.items():
        if what.startswith("fetch"):
            assert not isinstance(a, Exception) and a.error == 0, (what, a)
            assert all(p.error == 0 and p.records == b"" for p in a.parts.values()), (what, a)
    assert answers["join"][0] == NOT_COORDINATOR, answers["join"]


def _run_broker(broker_bin, tmp_path, *overrides, timeout=5):
    import subprocess
    args = [broker_bin, "--override", f"log.dirs={tmp_path}/data",
            "--override", "listeners=PLAINTEXT://127.0.0.1:0"]
    for o in overrides:
        args += ["--override", o]
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + (e.stderr or b"")
        return None, out.decode() if isinstance(out, bytes) else out


def test_invalid_config_value_refuses_to_start(request, tmp_path):
    broker_bin = request.config.getoption("--broker-bin")
    code, out = _run_broker(broker_bin, tmp_path, "num.partitions=-5")
    assert code not in (None, 0), out
    assert "num.partitions" in out and "at least 1" in out, out


def test_unknown_config_key_only_warns(request, tmp_path):
    broker_bin = request.config.getoption("--broker-bin")
    # The broker keeps running (killed by the timeout) and says which key it ignored.
    code, out = _run_broker(broker_bin, tmp_path, "no.such.property=1", timeout=3)
    assert code is None, out
    assert "no.such.property" in out and "level=warn" in out, out


def test_help_and_version(request):
    import subprocess
    broker_bin = request.config.getoption("--broker-bin")
    v = subprocess.run([broker_bin, "--version"], capture_output=True, text=True, timeout=5)
    assert v.returncode == 0 and v.stdout.startswith("runnel-broker ")
    h = subprocess.run([broker_bin, "--help"], capture_output=True, text=True, timeout=5)
    assert h.returncode == 0 and "--config" in h.stdout and "--override" in h.stdout


def test_deep_pipelining_is_answered_in_order(broker, topic_name):
    """More pipelined requests than the broker queues per connection: reading pauses
    (backpressure), and every request is still answered, in order."""
    from itest.wire import frame, request_header
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    n = 500
    payload = b"".join(
        frame(request_header(18, 0, corr) + b"") for corr in range(1, n + 1))  # ApiVersions v0
    batch = encode_batch([(b"k", b"v")], now_ms())
    produce = b"".join(
        frame(request_header(API_PRODUCE, 7, corr) + string(None) + i16(1) + i32(30000) +
              array([string(topic_name) + array([i32(0) + nbytes(batch)])]))
        for corr in range(n + 1, 2 * n + 1))
    with Connection(broker.host, broker.port, timeout=30) as c:
        c.send_raw(payload + produce)
        for corr in range(1, 2 * n + 1):
            resp = c.read_frame()
            assert resp is not None, f"connection closed before response {corr}"
            assert int.from_bytes(resp[:4], "big") == corr
    got = rdkafka.fetch_all(broker.bootstrap, topic_name, 0, n)
    assert len(got) == n
