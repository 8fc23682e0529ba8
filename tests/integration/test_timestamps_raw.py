"""The header fields the partition leader writes into a producer's batch, read back from the log:
base offset and leader epoch, CreateTime's corrected max timestamp, LogAppendTime's broker clock,
each with a CRC that still holds. Runs against Apache Kafka too (label kafka), which settles
what the fields must be."""

import time

from itest import rdkafka
from itest.fetch_wire import fetch_v11
from itest.record_batch import Header, encode_batch
from itest.wire import API_PRODUCE, Connection, array, i16, i32, nbytes, string


def produce_v7(conn: Connection, topic: str, batches: dict[int, bytes], acks: int = -1) -> dict:
    """{partition: (error, base_offset, log_append_time)} for one topic's partitions."""
    body = string(None) + i16(acks) + i32(30000) + array([
        string(topic) + array([i32(p) + nbytes(b) for p, b in batches.items()])])
    _, r = conn.request(API_PRODUCE, 7, body)
    out = {}
    for _, parts in r.array(lambda t: (t.string(), t.array(
            lambda p: (p.i32(), p.i16(), p.i64(), p.i64(), p.i64())))):
        for idx, err, base, append_time, _ in parts:
            out[idx] = (err, base, append_time)
    return out


def stored_batches(conn: Connection, topic: str, partition: int) -> list[bytes]:
    data = fetch_v11(conn, [(topic, partition, 0)]).parts[(topic, partition)].records
    out = []
    while len(data) >= 12:
        size = 12 + int.from_bytes(data[8:12], "big")
        out.append(data[:size])
        data = data[size:]
    return out


def test_create_time_batches_get_offsets_epoch_and_the_true_max_timestamp(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 2)
    now = int(time.time() * 1000)
    # The producer's header claims max = base, but its records run to base + 10: the leader
    # writes the maximum it computed (Kafka's LogValidator does) and a CRC to match.
    wrong_max = encode_batch([(b"a", b"1"), (b"b", b"2"), (b"c", b"3")], now, ts_deltas=[0, 5, 10],
                             max_timestamp=now)
    right = encode_batch([(b"d", b"4")], now)
    with Connection(broker.host, broker.port) as c:
        assert produce_v7(c, topic_name, {0: right, 1: wrong_max}) == {0: (0, 0, -1), 1: (0, 0, -1)}
        assert produce_v7(c, topic_name, {0: right}) == {0: (0, 1, -1)}
        first, second = (Header(b) for b in stored_batches(c, topic_name, 0))
        assert (first.base_offset, second.base_offset) == (0, 1)
        assert first.leader_epoch == second.leader_epoch == 0  # a new topic's first leader epoch
        assert first.crc_ok and second.crc_ok
        fixed, = (Header(b) for b in stored_batches(c, topic_name, 1))
        assert not fixed.log_append_time
        assert fixed.max_timestamp == now + 10 and fixed.base_timestamp == now
        assert fixed.crc_ok


def test_log_append_time_replaces_the_producers_timestamps(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1, {"message.timestamp.type": "LogAppendTime"})
    ancient = 1_000_000  # far outside any CreateTime window: LogAppendTime does not check it
    with Connection(broker.host, broker.port) as c:
        before = int(time.time() * 1000)
        answer = produce_v7(c, topic_name, {0: encode_batch([(b"k", b"v"), (b"k2", b"v2")], ancient)})
        after = int(time.time() * 1000)
        err, base, append_time = answer[0]
        assert (err, base) == (0, 0)
        assert before - 1000 <= append_time <= after + 1000, (before, append_time, after)
        stored, = (Header(b) for b in stored_batches(c, topic_name, 0))
        assert stored.log_append_time
        assert stored.max_timestamp == append_time  # the time the response named
        assert stored.crc_ok
