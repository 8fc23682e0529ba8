"""kafka-python produce/consume helpers over the deterministic payloads."""

import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from . import payloads


def produce(bootstrap: str, topic: str, count: int, partitions: int = 1,
            value_size: int = payloads.DEFAULT_VALUE_SIZE, **conf) -> int:
    """Sends count deterministic records and waits for every acknowledgement."""
    base = {"bootstrap_servers": bootstrap, "linger_ms": 5, "batch_size": 65536,
            "acks": "all", "request_timeout_ms": 30000}
    base.update(conf)
    p = KafkaProducer(**base)
    futures = []
    try:
        for i in range(count):
            part, seq = payloads.placement(i, partitions)
            futures.append(p.send(topic, value=payloads.value(part, seq, value_size),
                                  key=payloads.key(part, seq), partition=part))
        p.flush(timeout=120)
        for f in futures:
            f.get(timeout=60)  # raises the delivery error, if any
    finally:
        p.close(timeout=10)
    return len(futures)


def consume_verify(bootstrap: str, topic: str, expected: int, partitions: int = 1,
                   value_size: int = payloads.DEFAULT_VALUE_SIZE, timeout: float = 120) -> int:
    v = payloads.Verifier(partitions, value_size)
    c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                      auto_offset_reset="earliest", max_poll_records=10000)
    try:
        tps = [TopicPartition(topic, i) for i in range(partitions)]
        c.assign(tps)
        c.seek_to_beginning(*tps)
        deadline = time.monotonic() + timeout
        while v.total < expected and time.monotonic() < deadline:
            for tp, records in c.poll(timeout_ms=500).items():
                for r in records:
                    v.check(tp.partition, r.offset, r.key, r.value)
    finally:
        c.close()
    assert v.total == expected, f"consumed {v.total} of {expected} within {timeout}s"
    return v.total
