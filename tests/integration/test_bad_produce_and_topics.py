"""Bad Produce and CreateTopics content on raw sockets: the request is well framed, the content is
wrong, so the broker answers with an error code (and keeps the connection) instead of closing."""

import time

import pytest

from itest import rdkafka
from itest.record_batch import encode_batch
from itest.requests import create_topics_v4, metadata_v4, produce_v7
from itest.wire import Connection, array, frame, i16, i32, nbytes, request_header, string

CORRUPT_MESSAGE = 2
UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_TOPIC_EXCEPTION = 17
INVALID_PARTITIONS = 37
INVALID_REPLICATION_FACTOR = 38
INVALID_RECORD = 87


def now_ms() -> int:
    return int(time.time() * 1000)


def test_produce_bad_crc_is_corrupt_message(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    with Connection(broker.host, broker.port) as c:
        good = encode_batch([(b"k0", b"v0"), (None, b"v1")], now_ms())
        assert produce_v7(c, topic_name, 0, good) == (0, 0)
        bad = encode_batch([(b"kx", b"corrupt")], now_ms(), corrupt_crc=True)
        assert produce_v7(c, topic_name, 0, bad) == (CORRUPT_MESSAGE, -1)
        # Same connection still works and nothing of the bad batch was appended.
        assert produce_v7(c, topic_name, 0, encode_batch([(b"k2", b"v2")], now_ms())) == (0, 2)
    got = rdkafka.fetch_all(broker.bootstrap, topic_name, 0, 3)
    assert got == {0: (b"k0", b"v0"), 1: (None, b"v1"), 2: (b"k2", b"v2")}


def test_produce_malformed_batch_is_invalid_record(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    batch = encode_batch([(b"k", b"v")], now_ms())
    with Connection(broker.host, broker.port) as c:
        assert produce_v7(c, topic_name, 0, batch[:-3]) == (INVALID_RECORD, -1)
        wrong_magic = batch[:16] + b"\x01" + batch[17:]
        assert produce_v7(c, topic_name, 0, wrong_magic) == (INVALID_RECORD, -1)
        assert produce_v7(c, topic_name, 0, batch) == (0, 0)


def test_produce_unknown_topic_or_partition(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    batch = encode_batch([(b"k", b"v")], now_ms())
    with Connection(broker.host, broker.port) as c:
        # Produce never auto-creates: only Metadata does.
        assert produce_v7(c, topic_name + "-missing", 0, batch) == (UNKNOWN_TOPIC_OR_PARTITION, -1)
        assert produce_v7(c, topic_name, 7, batch) == (UNKNOWN_TOPIC_OR_PARTITION, -1)
        assert metadata_v4(c, [topic_name + "-missing"], False)[topic_name + "-missing"][0] == \
            UNKNOWN_TOPIC_OR_PARTITION


def test_produce_acks0_bad_crc_closes_connection(broker, topic_name):
    """With acks=0 there is no response to carry the error, so Kafka closes the connection."""
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    bad = encode_batch([(b"k", b"v")], now_ms(), corrupt_crc=True)
    body = string(None) + i16(0) + i32(30000) + array([
        string(topic_name) + array([i32(0) + nbytes(bad)])])
    with Connection(broker.host, broker.port) as c:
        c.send_raw(frame(request_header(0, 7, 77) + body))
        assert c.closed_by_peer(timeout=10)


@pytest.mark.parametrize("name", ["bad/name", "white space", "..", ".", "", "a" * 250,
                                  "ümlaut"], ids=["slash", "space", "dotdot", "dot", "empty",
                                                  "too-long", "non-ascii"])
def test_create_topics_invalid_name(broker, name):
    with Connection(broker.host, broker.port) as c:
        err, msg = create_topics_v4(c, name)
        assert err == INVALID_TOPIC_EXCEPTION, (err, msg)
        # The connection stays usable and no such topic appeared.
        if name:
            topics = metadata_v4(c, [name], allow_auto_create=False)
            assert topics[name][0] != 0


def test_create_topics_invalid_partitions_and_replication(broker, topic_name):
    with Connection(broker.host, broker.port) as c:
        assert create_topics_v4(c, topic_name, partitions=0)[0] == INVALID_PARTITIONS
        assert create_topics_v4(c, topic_name, partitions=1, replication=3)[0] == \
            INVALID_REPLICATION_FACTOR
        # -1/-1 means the broker defaults (num.partitions=1, default.replication.factor=1).
        assert create_topics_v4(c, topic_name, partitions=-1, replication=-1) == (0, None)
        assert metadata_v4(c, [topic_name], False) == {topic_name: (0, 1)}


def test_metadata_for_invalid_topic_name(broker):
    with Connection(broker.host, broker.port) as c:
        assert metadata_v4(c, ["bad/name"], allow_auto_create=True) == {
            "bad/name": (INVALID_TOPIC_EXCEPTION, 0)}
