"""Consumer groups with real clients: classic protocol rebalances, committed offsets that survive
a broker crash, static membership and the group admin APIs.

Every broker here runs with offsets.topic.replication.factor=1, so that the file passes against
Apache Kafka too (RUNNEL_ITEST_TARGET=kafka), where a single broker cannot host __consumer_offsets
with the default factor of 3 (FindCoordinator then answers COORDINATOR_NOT_AVAILABLE, which
test_offsets_topic_needs_enough_brokers checks). A lone Runnel node defaults to 1 by itself.
"""

import subprocess
import sys
import threading
import time

import pytest
from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient

from itest import java_tool, rdkafka
from itest.broker import target

GROUP_OVERRIDES = {"offsets.topic.replication.factor": "1", "group.initial.rebalance.delay.ms": "500"}


@pytest.fixture(scope="module")
def gbroker(module_brokers):
    return module_brokers(GROUP_OVERRIDES)


def group_consumer(bootstrap, group, **conf):
    base = {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
            "enable.partition.eof": False}
    base.update(conf)
    return Consumer(base)


def poll_all(consumers, seconds, until=None, sink=None):
    """Polls every consumer round-robin for up to `seconds` or until until() holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for c in consumers:
            m = c.poll(0.1)
            if m is not None and m.error() is None and sink is not None:
                sink.append((m.partition(), m.offset()))
        if until is not None and until():
            return True
    return until() if until is not None else True


def assigned(c):
    return {(tp.topic, tp.partition) for tp in c.assignment()}


def complete_and_disjoint(consumers, topic, partitions):
    sets = [assigned(c) for c in consumers]
    union = set().union(*sets)
    return (all(sets) and sum(len(s) for s in sets) == partitions
            and union == {(topic, p) for p in range(partitions)})


@pytest.mark.parametrize("strategy", ["range", "cooperative-sticky"])
def test_three_consumers_get_disjoint_complete_assignment(gbroker, topic_name, strategy):
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 6)
    consumers = [group_consumer(gbroker.bootstrap, "g-" + topic_name, **{"partition.assignment.strategy": strategy})
                 for _ in range(3)]
    try:
        for c in consumers:
            c.subscribe([topic_name])
        ok = poll_all(consumers, 45, until=lambda: complete_and_disjoint(consumers, topic_name, 6))
        assert ok, [assigned(c) for c in consumers]
        # Stays that way (no endless rebalancing).
        poll_all(consumers, 3)
        assert complete_and_disjoint(consumers, topic_name, 6), [assigned(c) for c in consumers]
    finally:
        for c in consumers:
            c.close()


KILLABLE = r"""
import sys, time
from confluent_kafka import Consumer
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[2], "session.timeout.ms": 6000,
              "heartbeat.interval.ms": 500, "auto.offset.reset": "earliest", "enable.auto.commit": False})
c.subscribe([sys.argv[3]])
while True:
    c.poll(0.1)
    if c.assignment():
        print("assigned", flush=True)
"""


@pytest.mark.parametrize("strategy", ["range", "cooperative-sticky"])
def test_killed_consumer_partitions_move_to_survivors(gbroker, topic_name, strategy):
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 6)
    group = "g-" + topic_name
    survivors = [group_consumer(gbroker.bootstrap, group, **{"partition.assignment.strategy": strategy})
                 for _ in range(2)]
    victim = None
    try:
        for c in survivors:
            c.subscribe([topic_name])
        assert poll_all(survivors, 30, until=lambda: complete_and_disjoint(survivors, topic_name, 6))
        script = KILLABLE.replace('"enable.auto.commit": False',
                                  f'"enable.auto.commit": False, "partition.assignment.strategy": "{strategy}"')
        victim = subprocess.Popen([sys.executable, "-c", script, gbroker.bootstrap, group, topic_name],
                                  stdout=subprocess.PIPE, text=True)
        # The victim joins: the survivors give up some partitions. They must keep polling
        # meanwhile (a cooperative rebalance needs their second join), so the victim's output
        # is read by a thread.
        victim_assigned = threading.Event()
        threading.Thread(target=lambda: victim.stdout.readline().strip() == "assigned" and victim_assigned.set(),
                         daemon=True).start()
        assert poll_all(survivors, 45, until=lambda: victim_assigned.is_set()
                        and sum(len(assigned(c)) for c in survivors) < 6)
        poll_all(survivors, 2)
        victim.kill()  # no LeaveGroup: the coordinator must notice the missing heartbeats
        victim.wait()
        t0 = time.monotonic()
        assert poll_all(survivors, 30, until=lambda: complete_and_disjoint(survivors, topic_name, 6)), \
            [assigned(c) for c in survivors]
        # Session timeout 6 s, plus the rebalance itself.
        assert time.monotonic() - t0 < 20
        rdkafka.produce(gbroker.bootstrap, topic_name, 60, partitions=6)
        seen = []
        assert poll_all(survivors, 30, until=lambda: len({p for p, _ in seen}) == 6, sink=seen)
    finally:
        if victim is not None and victim.poll() is None:
            victim.kill()
        for c in survivors:
            c.close()


def test_committed_offsets_survive_broker_crash(broker_factory, topic_name):
    b = broker_factory(GROUP_OVERRIDES)
    rdkafka.create_topic(b.bootstrap, topic_name, 1)
    rdkafka.produce(b.bootstrap, topic_name, 100)
    group = "g-" + topic_name
    c = group_consumer(b.bootstrap, group)
    c.subscribe([topic_name])
    got = []
    deadline = time.monotonic() + 45
    while len(got) < 60 and time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is not None and m.error() is None:
            got.append(m.offset())
    assert len(got) >= 60
    c.commit(offsets=[TopicPartition(topic_name, 0, 60)], asynchronous=False)
    c.close()
    b.kill9()
    b.start()
    c = group_consumer(b.bootstrap, group)
    try:
        committed = c.committed([TopicPartition(topic_name, 0)], timeout=30)
        assert committed[0].offset == 60
        c.subscribe([topic_name])
        rest = []
        deadline = time.monotonic() + 45
        while len(rest) < 40 and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and m.error() is None:
                rest.append(m.offset())
        assert rest == list(range(60, 100)), "resumes exactly at the committed offset"
    finally:
        c.close()


def test_kafka_python_group(gbroker, topic_name):
    from kafka import KafkaConsumer, TopicPartition as PyTP
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 3)
    rdkafka.produce(gbroker.bootstrap, topic_name, 300, partitions=3)
    group = "g-" + topic_name
    c = KafkaConsumer(topic_name, bootstrap_servers=gbroker.bootstrap, group_id=group,
                      auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=20000)
    seen = 0
    for _ in c:
        seen += 1
        if seen == 300:
            break
    assert seen == 300
    c.commit()
    assert {c.committed(PyTP(topic_name, p)) for p in range(3)} == {100}
    c.close()
    # librdkafka reads what kafka-python committed.
    rc = group_consumer(gbroker.bootstrap, group)
    try:
        offs = rc.committed([TopicPartition(topic_name, p) for p in range(3)], timeout=20)
        assert [o.offset for o in offs] == [100, 100, 100]
    finally:
        rc.close()


def test_java_group_consumes_and_commits(gbroker, topic_name):
    """Kafka's Java consumer as a classic group member: subscribe, consume everything, commitSync;
    librdkafka then sees the committed offsets (the end of every partition)."""
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 3)
    rdkafka.produce(gbroker.bootstrap, topic_name, 300, partitions=3)
    group = "g-" + topic_name
    out = java_tool.check("consume-group", gbroker.bootstrap, group=group, topic=topic_name, expected=300,
                          timeout_ms=60000)
    assert out["consumed"] == "300" and out["committed_partitions"] == "3" and out.get("ok"), out["_stdout"]
    rc = group_consumer(gbroker.bootstrap, group)
    try:
        offs = rc.committed([TopicPartition(topic_name, p) for p in range(3)], timeout=20)
        assert [o.offset for o in offs] == [100, 100, 100]
    finally:
        rc.close()


def test_static_member_restart_does_not_rebalance(gbroker, topic_name):
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 4)
    group = "g-" + topic_name
    revoked = []

    def watcher(name):
        return lambda consumer, parts: revoked.append((name, [p.partition for p in parts]))

    conf = {"session.timeout.ms": 15000}
    a = group_consumer(gbroker.bootstrap, group, **{"group.instance.id": "a"}, **conf)
    b = group_consumer(gbroker.bootstrap, group, **{"group.instance.id": "b"}, **conf)
    a.subscribe([topic_name])
    b.subscribe([topic_name], on_revoke=watcher("b"))
    try:
        assert poll_all([a, b], 30, until=lambda: complete_and_disjoint([a, b], topic_name, 4))
        a_parts = assigned(a)
        a.close()  # a static member does not leave the group on close
        a = group_consumer(gbroker.bootstrap, group, **{"group.instance.id": "a"}, **conf)
        a.subscribe([topic_name])
        assert poll_all([a, b], 20, until=lambda: assigned(a) == a_parts)
        poll_all([a, b], 2)
        assert [r for r in revoked if r[1]] == [], "b kept its partitions: no rebalance"
        assert complete_and_disjoint([a, b], topic_name, 4)
    finally:
        a.close()
        b.close()


def test_list_describe_delete_groups(gbroker, topic_name):
    from confluent_kafka import ConsumerGroupState
    rdkafka.create_topic(gbroker.bootstrap, topic_name, 2)
    group = "g-" + topic_name
    admin = AdminClient({"bootstrap.servers": gbroker.bootstrap})
    c = group_consumer(gbroker.bootstrap, group, **{"client.id": "describe-me"})
    c.subscribe([topic_name])
    try:
        assert poll_all([c], 30, until=lambda: len(assigned(c)) == 2)
        listed = admin.list_consumer_groups().result(30)
        assert group in {g.group_id for g in listed.valid}
        stable = admin.list_consumer_groups(states={ConsumerGroupState.STABLE}).result(30)
        assert group in {g.group_id for g in stable.valid}
        empty = admin.list_consumer_groups(states={ConsumerGroupState.EMPTY}).result(30)
        assert group not in {g.group_id for g in empty.valid}
        desc = admin.describe_consumer_groups([group])[group].result(30)
        assert desc.state == ConsumerGroupState.STABLE
        assert len(desc.members) == 1 and desc.members[0].client_id == "describe-me"
        # Kafka reports the member's peer address with a leading slash and no port.
        assert desc.members[0].host == "/127.0.0.1"
        assert {tp.partition for tp in desc.members[0].assignment.topic_partitions} == {0, 1}
        c.commit(offsets=[TopicPartition(topic_name, 0, 5)], asynchronous=False)
        with pytest.raises(Exception) as e:
            admin.delete_consumer_groups([group])[group].result(30)
        assert e.value.args[0].code() == KafkaError.NON_EMPTY_GROUP
    finally:
        c.close()
    admin.delete_consumer_groups([group])[group].result(30)
    assert group not in {g.group_id for g in admin.list_consumer_groups().result(30).valid}
    with pytest.raises(Exception) as e:
        admin.delete_consumer_groups([group])[group].result(30)
    assert e.value.args[0].code() == KafkaError.GROUP_ID_NOT_FOUND


@pytest.mark.skipif(target() == "kafka", reason="Runnel's standalone default; Kafka keeps 3 and needs the setting")
def test_a_lone_node_serves_groups_without_configuration(broker_factory, topic_name):
    """A broker started with no configuration is a standalone node: its __consumer_offsets gets
    one replica, so a group commits and reads back offsets with nothing set (issue 13, §1)."""
    b = broker_factory()
    rdkafka.create_topic(b.bootstrap, topic_name, 1)
    c = group_consumer(b.bootstrap, "g-" + topic_name)
    try:
        c.commit(offsets=[TopicPartition(topic_name, 0, 7)], asynchronous=False)
        assert c.committed([TopicPartition(topic_name, 0)], timeout=30)[0].offset == 7
    finally:
        c.close()
    # The file's setting still wins where it is given: test_offsets_topic_needs_enough_brokers.


def test_offsets_topic_needs_enough_brokers(broker_factory, topic_name):
    """Kafka's rule: __consumer_offsets is not created with fewer brokers than
    offsets.topic.replication.factor; the coordinator is then not available. (A lone node's
    default is 1, see test_a_lone_node_serves_groups_without_configuration; 3 is asked here.)"""
    b = broker_factory(overrides={"offsets.topic.replication.factor": "3"})
    c = group_consumer(b.bootstrap, "g-" + topic_name)
    try:
        with pytest.raises(Exception) as e:
            c.committed([TopicPartition("whatever", 0)], timeout=5)
        assert e.value.args[0].code() in (KafkaError._TIMED_OUT, KafkaError.COORDINATOR_NOT_AVAILABLE)
    finally:
        c.close()
