"""Deleting a topic while clients produce to it and fetch from it: requests in flight finish
(each partition's gate holds its removal back until they leave), later ones get Kafka's errors,
and the broker keeps serving. Segments are small (1 MiB, Kafka's least) so that fetches read old segments from disk and
stay in flight while the deletion runs."""

import threading
import time

from itest import rdkafka
from itest.fetch_wire import fetch_v11
from itest.record_batch import encode_batch
from itest.requests import produce_v7
from itest.wire import Connection

PARTITIONS = 4
# Kafka's answers for a partition that is gone or going: unknown topic, not the leader.
ALLOWED = {0, 3, 6}


def fill(broker, topic):
    value = b"x" * 4000
    with Connection(broker.host, broker.port) as c:
        for i in range(60):
            for p in range(PARTITIONS):
                batch = encode_batch([(b"k%d" % i, value)] * 8, int(time.time() * 1000))
                assert produce_v7(c, topic, p, batch)[0] == 0


def hammer(broker, topic, stop, errors, fetching):
    try:
        with Connection(broker.host, broker.port, timeout=30) as c:
            p = 0
            while not stop.is_set():
                p = (p + 1) % PARTITIONS
                if fetching:
                    err = fetch_v11(c, [(topic, p, 0)]).parts.get((topic, p))
                    code = 0 if err is None else err.error
                else:
                    code = produce_v7(c, topic, p, encode_batch([(b"k", b"v" * 100)], int(time.time() * 1000)))[0]
                if code not in ALLOWED:
                    errors.append(code)
    except (OSError, ConnectionError) as e:  # a dead broker shows up here
        errors.append(repr(e))


def test_delete_topic_while_producing_and_fetching(broker_factory, topic_name):
    b = broker_factory()
    admin = rdkafka.admin(b.bootstrap)
    for round_ in range(4):
        topic = f"{topic_name}-{round_}"
        rdkafka.create_topic(b.bootstrap, topic, PARTITIONS, {"segment.bytes": "1048576"})
        fill(b, topic)
        stop = threading.Event()
        errors: list = []
        threads = [threading.Thread(target=hammer, args=(b, topic, stop, errors, i % 3 != 0)) for i in range(6)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        admin.delete_topics([topic], operation_timeout=30)[topic].result(timeout=60)
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert b.alive(), b.log_tail()
        assert not errors, errors[:5]
    # Still serving: a new topic takes writes and reads.
    rdkafka.create_topic(b.bootstrap, topic_name, 1)
    rdkafka.wait_topic_ready(b.bootstrap, topic_name, 1)
    with Connection(b.host, b.port) as c:
        assert produce_v7(c, topic_name, 0, encode_batch([(b"k", b"after")], int(time.time() * 1000)))[0] == 0
        assert b"after" in fetch_v11(c, [(topic_name, 0, 0)]).parts[(topic_name, 0)].records


def test_retention_runs_while_fetching(broker_factory, topic_name):
    """The housekeeping loop's retention pass (inside each partition's gate) deletes old segments
    while consumers read: the log start offset moves and reads from it keep working."""
    b = broker_factory({"log.retention.check.interval.ms": "500"})
    rdkafka.create_topic(b.bootstrap, topic_name, 1, {"segment.bytes": "1048576", "retention.bytes": "1048576"})
    value = b"r" * 8000
    with Connection(b.host, b.port) as c:
        for i in range(600):  # about 4.8 MB: several sealed segments
            assert produce_v7(c, topic_name, 0, encode_batch([(b"k", value)], int(time.time() * 1000)))[0] == 0
        deadline = time.monotonic() + 30
        start = 0
        while time.monotonic() < deadline:
            part = fetch_v11(c, [(topic_name, 0, start)]).parts[(topic_name, 0)]
            if part.error == 1:  # OFFSET_OUT_OF_RANGE: retention moved the start past us
                start = part.log_start_offset
                continue
            assert part.error == 0
            if part.log_start_offset > 0:
                break
            time.sleep(0.2)
        assert part.log_start_offset > 0, "retention never deleted a segment"
        part = fetch_v11(c, [(topic_name, 0, part.log_start_offset)]).parts[(topic_name, 0)]
        assert part.error == 0 and len(part.records) > 0
    assert b.alive()
