"""Durability across crashes: kill -9 the broker during an acks=all produce, restart it on the
same data directory, and every acknowledged record must be there, byte for byte, at the offset
its delivery report named. Also: clean restart and kill -9 at rest keep everything."""

import time

from confluent_kafka import TopicPartition

from itest import payloads, rdkafka

PARTITIONS = 2


def produce_until_killed(broker, topic: str, kill_after_acks: int) -> dict:
    """Produces deterministic records until kill_after_acks are acknowledged, then kill -9s the
    broker while more are in flight. Returns {(partition, offset): seq} of acknowledged records."""
    acked: dict[tuple[int, int], int] = {}
    failed = []
    p = rdkafka.producer(broker.bootstrap, acks="all", **{
        "linger.ms": 2, "message.timeout.ms": 8000, "enable.idempotence": False})

    def report(seq):
        def cb(err, msg):
            if err is None:
                acked[(msg.partition(), msg.offset())] = seq
            else:
                failed.append(err)
        return cb

    killed_at = None
    i = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        part, seq = payloads.placement(i, PARTITIONS)
        try:
            p.produce(topic, payloads.value(part, seq), payloads.key(part, seq), partition=part,
                      on_delivery=report(seq))
            i += 1
        except BufferError:
            pass
        p.poll(0)
        if killed_at is None and len(acked) >= kill_after_acks:
            broker.kill9()
            killed_at = time.monotonic()
        if killed_at is not None and time.monotonic() - killed_at > 0.5:
            break
    assert killed_at is not None, f"only {len(acked)} acks before the deadline"
    p.flush(20)
    assert failed, "records produced after the kill cannot all have been acknowledged"
    return acked


def verify_acked(bootstrap: str, topic: str, acked: dict) -> None:
    for part in range(PARTITIONS):
        mine = {off: seq for (p, off), seq in acked.items() if p == part}
        if not mine:
            continue
        end = max(mine) + 1
        got = rdkafka.fetch_all(bootstrap, topic, part, end)
        missing = [o for o in mine if o not in got]
        assert not missing, (f"p{part}: {len(missing)} acknowledged records lost, "
                             f"first offsets {sorted(missing)[:5]}")
        for off, seq in mine.items():
            assert got[off] == (payloads.key(part, seq), payloads.value(part, seq)), (
                f"p{part}@{off}: wrong record for seq {seq}")


def test_kill9_during_acks_all_produce_keeps_acknowledged(broker_factory, topic_name):
    b = broker_factory()
    rdkafka.create_topic(b.bootstrap, topic_name, PARTITIONS)
    acked = produce_until_killed(b, topic_name, kill_after_acks=20000)
    assert len(acked) >= 20000
    b.start(timeout=120)
    verify_acked(b.bootstrap, topic_name, acked)
    # The log is writable again and continues after the last acknowledged offset.
    offsets = rdkafka.produce(b.bootstrap, topic_name, 10, 1, acks="all")
    last_p0 = max(off for (p, off) in acked if p == 0)
    assert offsets[0][1] > last_p0


def test_kill9_at_rest_and_clean_restart_keep_everything(broker_factory, topic_name):
    b = broker_factory()
    rdkafka.create_topic(b.bootstrap, topic_name, PARTITIONS)
    rdkafka.produce(b.bootstrap, topic_name, 10000, PARTITIONS, acks="all",
                    **{"compression.codec": "lz4"})
    b.kill9()
    b.start(timeout=120)
    rdkafka.consume_verify(b.bootstrap, topic_name, 10000, PARTITIONS)
    b.restart(timeout=120)
    rdkafka.consume_verify(b.bootstrap, topic_name, 10000, PARTITIONS)
    c = rdkafka.consumer(b.bootstrap)
    try:
        for part in range(PARTITIONS):
            assert c.get_watermark_offsets(TopicPartition(topic_name, part), timeout=10) == (
                0, 10000 // PARTITIONS)
    finally:
        c.close()


def test_damaged_metadata_document_is_a_clear_start_up_error(broker_factory, topic_name):
    """A metadata.json with a field of the wrong type or an unknown version stops the broker
    with a message naming the problem (exit code 1), not an abort. The file holds topics only
    where a node runs without a metadata quorum (broker-only, no voters: as every Runnel did
    before the quorum; a lone combined node keeps them in its metadata log and reads the file
    only to import it once, test_quorum_upgrade)."""
    import json
    import subprocess

    b = broker_factory(overrides={"process.roles": "broker"})
    rdkafka.create_topic(b.bootstrap, topic_name, 1)
    b.stop()
    path = b.data_dir / "logs" / "__cluster_metadata" / "metadata.json"
    good = json.loads(path.read_text())
    for damaged, words in ((dict(good, topics=[dict(good["topics"][0], name=42)]), "malformed"),
                           (dict(good, version=7), "version 7")):
        path.write_text(json.dumps(damaged))
        res = subprocess.run(b.command(), capture_output=True, text=True, timeout=60)
        assert res.returncode == 1, (res.returncode, res.stdout[-2000:], res.stderr[-2000:])
        assert words in res.stdout + res.stderr
    path.write_text(json.dumps(good))
    b.start()
    rdkafka.wait_topic_ready(b.bootstrap, topic_name, 1)
