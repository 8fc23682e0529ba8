"""KIP-848 regex subscriptions on the raw wire: the broker resolves a member's regex over all
topics, internal ones included, and leaves it to the client to drop internal topics. ctest runs
this file against Apache Kafka (RUNNEL_ITEST_TARGET=kafka, integration.test_kip848_regex_raw.kafka)
and against Runnel."""

import time
import uuid

import pytest

from itest import rdkafka
from itest.fetch_wire import topic_id
from itest.kip848_wire import heartbeat
from itest.wire import Connection, i8, string

COORDINATOR_ERRORS = (14, 15, 16)  # load in progress, not available, not coordinator


@pytest.fixture(scope="module")
def broker(module_brokers):
    return module_brokers({"offsets.topic.replication.factor": "1"})


def partition_count(bootstrap: str, topic: str) -> int:
    md = rdkafka.admin(bootstrap).list_topics(topic, timeout=30)
    return len(md.topics[topic].partitions)


def assignment_of(conn, group: str, regex: str, topics_wanted: int = 1, seconds: float = 60) -> dict[bytes, list[int]]:
    """Joins `group` as a new member and heartbeats until its assignment covers `topics_wanted`
    topics (or the time is up); returns {topic id: sorted partitions}, then leaves the group."""
    conn.request(10, 1, string(group) + i8(0))  # FindCoordinator: creates __consumer_offsets
    member = str(uuid.uuid4())
    deadline = time.monotonic() + seconds
    epoch = 0
    assigned: dict[bytes, list[int]] = {}
    while time.monotonic() < deadline:
        kwargs = {"regex": regex, "owned": []} if epoch == 0 else {}
        hb = heartbeat(conn, group, member, epoch, **kwargs)
        if hb["error"] in COORDINATOR_ERRORS:
            time.sleep(0.2)
            continue
        assert hb["error"] == 0, hb
        epoch = hb["epoch"]
        if hb["assignment"] is not None:
            assigned = {tid: sorted(ps) for tid, ps in hb["assignment"]}
        if len(assigned) >= topics_wanted:
            break
        time.sleep(0.3)
    heartbeat(conn, group, member, -1)
    return assigned


@pytest.mark.parametrize("regex", ["__consumer_offsets", r"\Q__consumer_offsets\E", "__consumer_off.*"],
                         ids=["plain", "quoted", "wildcard"])
def test_regex_matching_an_internal_topic_is_assigned_it(broker, topic_name, regex):
    with Connection(broker.host, broker.port) as conn:
        got = assignment_of(conn, "rx-" + topic_name, regex=regex)
        offsets_id = topic_id(conn, "__consumer_offsets")
    n = partition_count(broker.bootstrap, "__consumer_offsets")
    assert got == {offsets_id: list(range(n))}, (regex, got)


def test_regex_over_internal_and_ordinary_topics(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, "rxmix" + topic_name, 2)
    rdkafka.wait_topic_ready(broker.bootstrap, "rxmix" + topic_name, 2)
    with Connection(broker.host, broker.port) as conn:
        regex = f"(__consumer_offsets|rxmix{topic_name})"
        got = assignment_of(conn, "rxm-" + topic_name, regex=regex, topics_wanted=2)
        ids = {topic_id(conn, "__consumer_offsets"), topic_id(conn, "rxmix" + topic_name)}
    assert set(got) == ids, got
