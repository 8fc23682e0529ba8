"""librdkafka (confluent-kafka) produce/consume helpers over the deterministic payloads."""

import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from . import payloads


def admin(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap})


def create_topic(bootstrap: str, topic: str, partitions: int = 1, config: dict | None = None) -> None:
    a = admin(bootstrap)  # must outlive the future, or the handle is destroyed under it
    fut = a.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1,
                                    config=config or {})])
    fut[topic].result(timeout=30)
    wait_topic_ready(bootstrap, topic, partitions)


def wait_topic_ready(bootstrap: str, topic: str, partitions: int, timeout: float = 30) -> None:
    """CreateTopics may answer before every partition has a leader, and a leader may list a
    partition before its log is open (it answers NOT_LEADER_OR_FOLLOWER meanwhile; Kafka does
    both): wait until metadata shows all partitions led and each answers ListOffsets, so raw
    requests right after creation are meaningful."""
    a = admin(bootstrap)
    deadline = time.monotonic() + timeout
    while True:
        t = a.list_topics(topic, timeout=10).topics.get(topic)
        if (t is not None and t.error is None and len(t.partitions) == partitions
                and all(p.leader >= 0 and p.error is None for p in t.partitions.values())):
            break
        assert time.monotonic() < deadline, f"topic {topic} not ready after {timeout}s"
        time.sleep(0.05)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "itest-wait-ready", "enable.auto.commit": False})
    try:
        for p in range(partitions):
            while True:
                try:
                    c.get_watermark_offsets(TopicPartition(topic, p), timeout=5)
                    break
                except KafkaException:
                    assert time.monotonic() < deadline, f"{topic}-{p} not served after {timeout}s"
                    time.sleep(0.05)
    finally:
        c.close()


def producer(bootstrap: str, **conf) -> Producer:
    base = {"bootstrap.servers": bootstrap, "linger.ms": 5, "batch.num.messages": 10000,
            "queue.buffering.max.messages": 200000}
    base.update(conf)
    return Producer(base)


def produce(bootstrap: str, topic: str, count: int, partitions: int = 1,
            value_size: int = payloads.DEFAULT_VALUE_SIZE, **conf) -> list[tuple[int, int]]:
    """Sends count deterministic records; returns the (partition, offset) of each, in order of
    the records. Fails if any delivery report carries an error."""
    p = producer(bootstrap, **conf)
    offsets: list[tuple[int, int] | None] = [None] * count
    errors = []

    def report(i):
        def cb(err, msg):
            if err is not None:
                errors.append(err)
            else:
                offsets[i] = (msg.partition(), msg.offset())
        return cb

    for i in range(count):
        part, seq = payloads.placement(i, partitions)
        while True:
            try:
                p.produce(topic, payloads.value(part, seq, value_size), payloads.key(part, seq),
                          partition=part, on_delivery=report(i))
                break
            except BufferError:
                p.poll(0.05)
        if i % 1000 == 0:
            p.poll(0)
    remaining = p.flush(60)
    assert remaining == 0, f"{remaining} records still in flight after 60s"
    assert not errors, f"{len(errors)} delivery errors, first: {errors[0]}"
    assert all(o is not None for o in offsets)
    return offsets


def consumer(bootstrap: str, **conf) -> Consumer:
    base = {"bootstrap.servers": bootstrap, "group.id": "runnel-itest-verify",
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "enable.partition.eof": False}
    base.update(conf)
    return Consumer(base)


def consume_verify(bootstrap: str, topic: str, expected: int, partitions: int = 1,
                   value_size: int = payloads.DEFAULT_VALUE_SIZE, timeout: float = 60) -> int:
    """Reads every partition from the beginning (manual assignment) and checks each record."""
    v = payloads.Verifier(partitions, value_size)
    c = consumer(bootstrap)
    try:
        c.assign([TopicPartition(topic, i, OFFSET_BEGINNING) for i in range(partitions)])
        deadline = time.monotonic() + timeout
        while v.total < expected and time.monotonic() < deadline:
            for m in c.consume(num_messages=10000, timeout=0.5):
                if m.error() is not None:
                    raise KafkaException(m.error())
                v.check(m.partition(), m.offset(), m.key(), m.value())
    finally:
        c.close()
    assert v.total == expected, f"consumed {v.total} of {expected} within {timeout}s"
    return v.total


def fetch_all(bootstrap: str, topic: str, partition: int, end_offset: int,
              timeout: float = 60) -> dict[int, tuple[bytes, bytes]]:
    """{offset: (key, value)} for every record of one partition below end_offset."""
    out = {}
    c = consumer(bootstrap)
    try:
        c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
        deadline = time.monotonic() + timeout
        while len(out) < end_offset and time.monotonic() < deadline:
            for m in c.consume(num_messages=10000, timeout=0.5):
                if m.error() is not None:
                    raise KafkaException(m.error())
                if m.offset() < end_offset:
                    out[m.offset()] = (m.key(), m.value())
    finally:
        c.close()
    return out
