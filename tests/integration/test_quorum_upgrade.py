"""A single-node data directory written without a metadata quorum (as every Runnel before the
quorum wrote it) keeps its topics, records and group offsets when the same node is restarted as a
KRaft node, either with controller.quorum.voters naming itself or with no quorum settings at all
(the quick start, which makes itself a standalone quorum): its topics are imported into the
metadata log once, on the first activation, and the log is the truth from then on."""

import time

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

pytestmark = pytest.mark.skipif(__import__("itest.broker", fromlist=["target"]).target() == "kafka",
                                reason="Runnel's own upgrade path")

RECORDS = 30
COMMITTED = 20


def consume(bootstrap: str, topic: str, group: str, want: int, commit: bool) -> list[bytes]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False})
    c.subscribe([topic])
    got: list[bytes] = []
    deadline = time.monotonic() + 30
    while len(got) < want and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        got.append(m.value())
        if commit and len(got) == want:
            c.commit(message=m, asynchronous=False)
    c.close()
    return got


def committed_total(bootstrap: str, topic: str, group: str) -> int:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    offsets = c.committed([TopicPartition(topic, p) for p in range(3)], timeout=20)
    c.close()
    return sum(max(o.offset, 0) for o in offsets)


@pytest.mark.parametrize("upgrade_to", ["static-voters", "standalone"])
def test_single_node_topics_join_the_metadata_log(broker_factory, topic_name, upgrade_to):
    # Without a voter set and without the controller role a node still runs as Runnel did before
    # the quorum (server/quorum_membership.h): a single node whose metadata is its own file.
    b = broker_factory(overrides={"offsets.topic.replication.factor": "1", "process.roles": "broker"})
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    admin.create_topics([NewTopic(topic_name, 3, 1)])[topic_name].result(timeout=30)
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "enable.idempotence": True})
    for i in range(RECORDS):
        p.produce(topic_name, value=f"r{i}".encode(), partition=i % 3)
    assert p.flush(30) == 0
    # One partition at a time, so the commit covers exactly the records read.
    group = "upgrade-" + topic_name
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": group, "enable.auto.commit": False})
    c.assign([TopicPartition(topic_name, 0, 0)])
    read = 0
    deadline = time.monotonic() + 30
    while read < 10 and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            read += 1
    c.commit(offsets=[TopicPartition(topic_name, 0, 10)], asynchronous=False)
    c.close()
    assert committed_total(b.bootstrap, topic_name, group) == 10
    b.stop()

    b.overrides["process.roles"] = "broker,controller"
    if upgrade_to == "static-voters":
        b.overrides.update({
            "listeners": f"PLAINTEXT://127.0.0.1:{b.port},CONTROLLER://127.0.0.1:{b.controller_port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.quorum.voters": f"1@127.0.0.1:{b.controller_port}",
        })
    # "standalone": no quorum settings at all, as the quick start runs: the node makes itself a
    # standalone quorum (bootstrap-voters) and imports its file the same way.
    for start in range(2):
        b.start()
        md = AdminClient({"bootstrap.servers": b.bootstrap}).list_topics(timeout=20)
        assert topic_name in md.topics, b.log_tail()
        assert sorted(md.topics[topic_name].partitions) == [0, 1, 2]
        assert all(pm.leader == 1 for pm in md.topics[topic_name].partitions.values())
        # The group's offsets and every record survived the move.
        assert committed_total(b.bootstrap, topic_name, group) == 10, b.log_tail()
        got = consume(b.bootstrap, topic_name, f"reader-{start}-{topic_name}", RECORDS, commit=False)
        assert sorted(got) == sorted(f"r{i}".encode() for i in range(RECORDS)), b.log_tail()
        b.stop()
    log = b.log_path.read_text(errors="replace")
    # Imported once: the second start found the topics in the metadata log already.
    # (2 topics: this one and __consumer_offsets.)
    assert log.count("imported 2 topics from the single-node metadata file") == 1, log[-3000:]
    segment = b.data_dir / "logs" / "__cluster_metadata-0" / "00000000000000000000.log"
    assert segment.stat().st_size > 0
