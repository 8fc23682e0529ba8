"""Auto-creation of topics (auto.create.topics.enable defaults to true): a Metadata request that
allows it creates the topic with num.partitions (default 1); one that does not allow it answers
UNKNOWN_TOPIC_OR_PARTITION (3) and creates nothing; producers to a missing topic just work."""

import time

from kafka import KafkaProducer

from itest import java_tool, kafkapy, rdkafka
from itest.requests import metadata_v4
from itest.wire import Connection

UNKNOWN_TOPIC_OR_PARTITION = 3
LEADER_NOT_AVAILABLE = 5


def test_metadata_without_auto_create_reports_unknown_topic(broker, topic_name):
    with Connection(broker.host, broker.port) as c:
        for _ in range(3):
            assert metadata_v4(c, [topic_name], allow_auto_create=False) == {
                topic_name: (UNKNOWN_TOPIC_OR_PARTITION, 0)}
            time.sleep(0.2)


def test_metadata_with_auto_create_creates_topic(broker, topic_name):
    with Connection(broker.host, broker.port) as c:
        first = metadata_v4(c, [topic_name], allow_auto_create=True)[topic_name]
        # Kafka 4.x answers the creating request with 3 (older versions used 5) or, if creation
        # was immediate, with the topic itself.
        assert first[0] in (0, UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE), first
        deadline = time.monotonic() + 15
        state = first
        while state != (0, 1) and time.monotonic() < deadline:
            time.sleep(0.1)
            state = metadata_v4(c, [topic_name], allow_auto_create=False)[topic_name]
        assert state == (0, 1), state


def test_librdkafka_produce_to_missing_topic(broker, topic_name):
    rdkafka.produce(broker.bootstrap, topic_name, 1000, 1, acks="all")
    rdkafka.consume_verify(broker.bootstrap, topic_name, 1000, 1)


def test_kafka_python_produce_to_missing_topic(broker, topic_name):
    kafkapy.produce(broker.bootstrap, topic_name, 1000, 1)
    kafkapy.consume_verify(broker.bootstrap, topic_name, 1000, 1)


def test_kafka_python_send_without_partition(broker, topic_name):
    p = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    try:
        md = p.send(topic_name, b"hello").get(timeout=30)
        assert (md.partition, md.offset) == (0, 0)
    finally:
        p.close(timeout=10)


def test_java_produce_to_missing_topic(broker, topic_name):
    res = java_tool.check("produce", broker.bootstrap, topic=topic_name, count=1000,
                          partitions=1)
    assert res["acked"] == "1000", res
    res = java_tool.check("consume", broker.bootstrap, topic=topic_name, expected=1000,
                          partitions=1)
    assert res.get("ok") is True, res
