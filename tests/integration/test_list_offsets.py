"""ListOffsets: earliest, latest, by timestamp and max timestamp, through all three families.

Timestamps are set by the producer (CreateTime). Layout of the partition used here:
    offset     0    1    2    3    4    5    6    7    8    9
    ts - BASE  0  1000 2000 9000 4000 5000 6000 7000 8000 8500
so the maximum timestamp sits in the middle (offset 3), and a lookup by timestamp returns the
first offset, in log order, whose timestamp is >= the target (Kafka's semantics).
"""

import pytest
from confluent_kafka import TopicPartition as RdTP
from confluent_kafka.admin import OffsetSpec
from kafka import KafkaConsumer, TopicPartition as PyTP

from itest import java_tool, rdkafka

BASE = 1_700_000_000_000
DELTAS = [0, 1000, 2000, 9000, 4000, 5000, 6000, 7000, 8000, 8500]
# (target timestamp - BASE, expected offset); -1 = no record at or after the target.
BY_TIMESTAMP = [(0, 0), (1000, 1), (1500, 2), (3000, 3), (8600, 3), (9000, 3), (9001, -1)]


def fill(bootstrap: str, topic: str, one_batch: bool) -> None:
    rdkafka.create_topic(bootstrap, topic, 1)
    p = rdkafka.producer(bootstrap, acks="all", **{"linger.ms": 50})
    for i, d in enumerate(DELTAS):
        p.produce(topic, b"v%d" % i, b"k%d" % i, partition=0, timestamp=BASE + d)
        if not one_batch:
            assert p.flush(30) == 0
    assert p.flush(30) == 0


@pytest.fixture(scope="module", params=["one-batch", "batch-per-record"])
def topic(request, broker):
    name = f"list-offsets-{request.param}"
    fill(broker.bootstrap, name, request.param == "one-batch")
    return name


def java_offsets(bootstrap: str, topic: str, spec: str) -> tuple[int, int]:
    res = java_tool.check("list-offsets", bootstrap, topic=topic, partition=0, spec=spec)
    return int(res["offset"]), int(res["timestamp"])


def test_java_earliest_latest(broker, topic):
    assert java_offsets(broker.bootstrap, topic, "earliest")[0] == 0
    assert java_offsets(broker.bootstrap, topic, "latest")[0] == len(DELTAS)


def test_java_max_timestamp(broker, topic):
    assert java_offsets(broker.bootstrap, topic, "max-timestamp") == (3, BASE + 9000)


@pytest.mark.parametrize("delta,expected", BY_TIMESTAMP)
def test_java_by_timestamp(broker, topic, delta, expected):
    offset, ts = java_offsets(broker.bootstrap, topic, f"timestamp:{BASE + delta}")
    assert offset == expected
    assert ts == (BASE + DELTAS[expected] if expected >= 0 else -1)


def test_librdkafka_list_offsets(broker, topic):
    c = rdkafka.consumer(broker.bootstrap)
    try:
        assert c.get_watermark_offsets(RdTP(topic, 0), timeout=10) == (0, len(DELTAS))
        for delta, expected in BY_TIMESTAMP:
            (tp,) = c.offsets_for_times([RdTP(topic, 0, BASE + delta)], timeout=10)
            assert tp.error is None
            assert tp.offset == expected, (delta, tp.offset)
    finally:
        c.close()
    admin = rdkafka.admin(broker.bootstrap)
    specs = {RdTP(topic, 0): OffsetSpec.max_timestamp()}
    info = list(admin.list_offsets(specs).values())[0].result(timeout=30)
    assert (info.offset, info.timestamp) == (3, BASE + 9000)


def test_kafka_python_list_offsets(broker, topic):
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    try:
        tp = PyTP(topic, 0)
        assert c.beginning_offsets([tp])[tp] == 0
        assert c.end_offsets([tp])[tp] == len(DELTAS)
        for delta, expected in BY_TIMESTAMP:
            got = c.offsets_for_times({tp: BASE + delta})[tp]
            if expected < 0:
                assert got is None
            else:
                assert (got.offset, got.timestamp) == (expected, BASE + DELTAS[expected])
    finally:
        c.close()


def test_empty_partition(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    assert java_offsets(broker.bootstrap, topic_name, "earliest")[0] == 0
    assert java_offsets(broker.bootstrap, topic_name, "latest")[0] == 0
    assert java_offsets(broker.bootstrap, topic_name, f"timestamp:{BASE}") == (-1, -1)
    assert java_offsets(broker.bootstrap, topic_name, "max-timestamp") == (-1, -1)
