"""Log compaction (cleanup.policy=compact) end to end with confluent-kafka: the latest value of
every live key survives, superseded values and expired tombstones go, offsets stay strictly
increasing, a kill -9 in the middle of a segment swap loses and duplicates nothing, and null
keys are refused on compacted topics (INVALID_RECORD, like Kafka)."""

import time

import pytest
from confluent_kafka import KafkaError, KafkaException, OFFSET_BEGINNING, TopicPartition
from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic

from itest import rdkafka
from itest.broker import target

# A fast cleaner and short segments (segment.ms rolls by record timestamps).
BROKER = {"log.cleaner.backoff.ms": "100"}
TOPIC_CONFIG = {
    "cleanup.policy": "compact",
    "segment.ms": "300",
    "min.cleanable.dirty.ratio": "0.01",
    "delete.retention.ms": "1500",
}
KEYS = 40
ROUNDS = 12
DELETED = {f"key-{i}" for i in range(0, KEYS, 7)}


def create_compacted(bootstrap: str, topic: str, **extra) -> None:
    a = rdkafka.admin(bootstrap)
    cfg = dict(TOPIC_CONFIG, **extra)
    fut = a.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1, config=cfg)])
    fut[topic].result(timeout=30)
    rdkafka.wait_topic_ready(bootstrap, topic, 1)


def produce_history(bootstrap: str, topic: str) -> dict[int, tuple[bytes, bytes | None]]:
    """ROUNDS versions of every key, ~0.1 s apart so segments roll; tombstones for DELETED in
    the middle and after the last round; then, once segment.ms passed, one filler record so every
    test record sits in a sealed (cleanable) segment. Returns {offset: (key, value)}."""
    p = rdkafka.producer(bootstrap, **{"linger.ms": 1, "enable.idempotence": True})
    sent: dict[int, tuple[bytes, bytes | None]] = {}
    errors = []

    def report(err, msg):
        if err is not None:
            errors.append(err)
        else:
            sent[msg.offset()] = (msg.key(), msg.value())

    for r in range(ROUNDS):
        for i in range(KEYS):
            key = f"key-{i}"
            if r == ROUNDS // 2 and key in DELETED:
                p.produce(topic, key=key, value=None, on_delivery=report)  # deleted, then re-set
            p.produce(topic, key=key, value=f"{key}-v{r}".encode() * 20, on_delivery=report)
        p.flush(30)
        time.sleep(0.1)
    for key in sorted(DELETED):
        p.produce(topic, key=key, value=None, on_delivery=report)
    p.flush(30)
    time.sleep(0.5)
    p.produce(topic, key="filler", value=b"f", on_delivery=report)
    assert p.flush(30) == 0
    assert not errors, errors[:3]
    return sent


def expected_latest(sent: dict[int, tuple[bytes, bytes | None]]) -> dict[bytes, bytes | None]:
    latest = {}
    for off in sorted(sent):
        k, v = sent[off]
        latest[k] = v
    return latest


def read_partition(bootstrap: str, topic: str, timeout: float = 30) -> list[tuple[int, bytes, bytes | None]]:
    """Every record from the beginning up to the high watermark, as a consumer sees them."""
    c = rdkafka.consumer(bootstrap, **{"group.id": f"verify-{time.monotonic_ns()}"})
    out = []
    try:
        tp = TopicPartition(topic, 0, OFFSET_BEGINNING)
        _, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        c.assign([tp])
        deadline = time.monotonic() + timeout
        while (not out or out[-1][0] < high - 1) and time.monotonic() < deadline:
            for m in c.consume(num_messages=10000, timeout=0.5):
                if m.error() is not None:
                    raise KafkaException(m.error())
                out.append((m.offset(), m.key(), m.value()))
    finally:
        c.close()
    return out


def compacted_exactly(records, latest, tombstones_gone: bool) -> str | None:
    """None when `records` is the fully compacted form of the history, else why not."""
    offsets = [o for o, _, _ in records]
    if any(b <= a for a, b in zip(offsets, offsets[1:])):
        return "offsets not strictly increasing"
    seen = {}
    for off, k, v in records:
        if k in seen:
            return f"key {k!r} twice (offsets {seen[k]} and {off})"
        seen[k] = off
        if v != latest.get(k, b"<missing>"):
            return f"key {k!r} at {off} is not its latest value"
    live = {k for k, v in latest.items() if v is not None}
    missing = live - set(seen)
    if missing:
        return f"live keys missing: {sorted(missing)[:5]}"
    if tombstones_gone:
        dead = {k for k, v in latest.items() if v is None} & set(seen)
        if dead:
            return f"tombstones still present for {sorted(dead)[:5]}"
    return None


def wait_compacted(bootstrap, topic, latest, tombstones_gone, timeout=90):
    deadline = time.monotonic() + timeout
    why = None
    while time.monotonic() < deadline:
        why = compacted_exactly(read_partition(bootstrap, topic), latest, tombstones_gone)
        if why is None:
            return
        time.sleep(0.5)
    pytest.fail(f"not compacted within {timeout}s: {why}")


@pytest.fixture(scope="module")
def broker(module_brokers):
    return module_brokers(BROKER)


def test_compaction_keeps_latest_value_per_live_key(broker, topic_name):
    create_compacted(broker.bootstrap, topic_name)
    sent = produce_history(broker.bootstrap, topic_name)
    latest = expected_latest(sent)
    assert len(sent) > KEYS * ROUNDS
    # First the superseded values go (tombstones may still be there), then, once
    # delete.retention.ms has passed since their first cleaning, the tombstones too.
    wait_compacted(broker.bootstrap, topic_name, latest, tombstones_gone=False)
    wait_compacted(broker.bootstrap, topic_name, latest, tombstones_gone=True)
    records = read_partition(broker.bootstrap, topic_name)
    assert len(records) == len([v for v in latest.values() if v is not None])
    # Every surviving record sits at the offset it was produced at.
    for off, k, v in records:
        assert sent[off] == (k, v)


def test_fetch_at_compacted_offset_returns_next_record(broker, topic_name):
    create_compacted(broker.bootstrap, topic_name)
    sent = produce_history(broker.bootstrap, topic_name)
    wait_compacted(broker.bootstrap, topic_name, expected_latest(sent), tombstones_gone=False)
    first_kept = read_partition(broker.bootstrap, topic_name)[0][0]
    gone = 1 if first_kept != 1 else 2  # offset 1 was superseded (every key has later versions)
    c = rdkafka.consumer(broker.bootstrap, **{"group.id": f"g-{topic_name}"})
    try:
        c.assign([TopicPartition(topic_name, 0, gone)])
        msgs = []
        deadline = time.monotonic() + 20
        while not msgs and time.monotonic() < deadline:
            msgs = [m for m in c.consume(num_messages=1, timeout=0.5)]
        assert msgs, "no record returned for a compacted-away offset"
        assert msgs[0].error() is None, msgs[0].error()
        assert msgs[0].offset() > gone
        low, high = c.get_watermark_offsets(TopicPartition(topic_name, 0), timeout=10)
        assert low == 0 and high == max(sent) + 1  # ListOffsets unaffected
    finally:
        c.close()


def test_null_key_is_rejected_on_compacted_topic(broker, topic_name):
    create_compacted(broker.bootstrap, topic_name)
    p = rdkafka.producer(broker.bootstrap, **{"linger.ms": 0, "retries": 0})
    errs = []
    p.produce(topic_name, key=None, value=b"no key", on_delivery=lambda e, m: errs.append(e))
    p.flush(20)
    assert errs and errs[0] is not None
    assert errs[0].code() == KafkaError.INVALID_RECORD


@pytest.mark.skipif(target() != "runnel", reason="uses Runnel's cleaner crash hook")
@pytest.mark.parametrize("point", ["before_commit", "after_commit", "before_final_rename"])
def test_kill9_during_segment_swap_loses_and_duplicates_nothing(broker_factory, topic_name, point, monkeypatch):
    # The hook makes the broker SIGKILL itself at that point of its first swap.
    monkeypatch.setenv("RUNNEL_TEST_CLEANER_CRASH_AT", point)
    b = broker_factory(BROKER)
    monkeypatch.delenv("RUNNEL_TEST_CLEANER_CRASH_AT")
    # Nothing is cleanable while the history is produced (it takes ~3 s), so the broker kills
    # itself only after every record was acknowledged.
    create_compacted(b.bootstrap, topic_name, **{"delete.retention.ms": "86400000",
                                                  "min.compaction.lag.ms": "6000"})
    sent = produce_history(b.bootstrap, topic_name)
    latest = expected_latest(sent)
    deadline = time.monotonic() + 60
    while b.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not b.alive(), "the cleaner never reached the crash point"
    b.proc.wait(timeout=10)
    assert f"SIGKILL at {point}" in b.log_path.read_text(errors="replace"), "died elsewhere"

    b.proc = None  # it died as planned, not by itself
    b.start(timeout=60)
    # Right after restart: every record is one that was produced at that offset, nothing twice,
    # and every key's latest value is there.
    records = read_partition(b.bootstrap, topic_name)
    offsets = [o for o, _, _ in records]
    assert offsets == sorted(set(offsets)), "duplicate or unordered offsets"
    for off, k, v in records:
        assert sent[off] == (k, v), f"offset {off} holds something never produced there"
    present = {k: v for _, k, v in records}
    for k, v in latest.items():
        assert present.get(k) == v, f"latest value of {k!r} lost"
    # And the cleaner finishes the job after the restart.
    wait_compacted(b.bootstrap, topic_name, latest, tombstones_gone=False)


def test_consumer_offsets_is_compacted_and_reloads_the_same_offsets(broker_factory, topic_name):
    """__consumer_offsets is created with cleanup.policy=compact; after the cleaner compacted it,
    a restarted broker's group coordinator reloads exactly the last committed offsets."""
    b = broker_factory(dict(BROKER, **{"offsets.topic.num.partitions": "1",
                                       "offsets.topic.replication.factor": "1"}))
    rdkafka.create_topic(b.bootstrap, topic_name, 1)
    a = rdkafka.admin(b.bootstrap)
    c = rdkafka.consumer(b.bootstrap, **{"group.id": "compacted-group"})
    try:
        deadline = time.monotonic() + 30
        while True:  # the first commit waits for __consumer_offsets and its coordinator
            try:
                c.commit(offsets=[TopicPartition(topic_name, 0, 1)], asynchronous=False)
                break
            except KafkaException:
                assert time.monotonic() < deadline, "no group coordinator"
                time.sleep(0.2)
        # Short segments for __consumer_offsets, so that the cleaner has sealed ones to compact.
        res = ConfigResource("topic", "__consumer_offsets", incremental_configs=[
            ConfigEntry("segment.ms", "100", incremental_operation=AlterConfigOpType.SET)])
        list(a.incremental_alter_configs([res]).values())[0].result(timeout=10)
        time.sleep(0.5)
        for i in range(1, 400):
            c.commit(offsets=[TopicPartition(topic_name, 0, i + 1)], asynchronous=False)
            time.sleep(0.005)
    finally:
        c.close()
    if target() == "runnel":
        cfg = a.describe_configs([ConfigResource("topic", "__consumer_offsets")])
        entries = list(cfg.values())[0].result(timeout=10)
        assert entries["cleanup.policy"].value == "compact"
        # Wait until the cleaner got past most of the commits (Kafka's checkpoint text format:
        # version, count, "<topic> <partition> <offset>").
        ckpt = b.data_dir / "logs" / "__consumer_offsets-0" / "cleaner-offset-checkpoint"

        def cleaned_up_to() -> int:
            try:
                return int(ckpt.read_text().splitlines()[2].split()[-1])
            except (OSError, IndexError, ValueError):
                return -1
        deadline = time.monotonic() + 60
        while cleaned_up_to() < 300 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert cleaned_up_to() >= 300, f"__consumer_offsets not compacted (checkpoint {cleaned_up_to()})"
    b.stop()
    b.start()
    c = rdkafka.consumer(b.bootstrap, **{"group.id": "compacted-group"})
    try:
        got = c.committed([TopicPartition(topic_name, 0)], timeout=30)
    finally:
        c.close()
    assert got[0].offset == 400
