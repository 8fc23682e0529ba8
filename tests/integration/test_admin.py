"""Topic creation through the AdminClient of each client family, and the duplicate case
(TOPIC_ALREADY_EXISTS = 36) that each family must report in its own way."""

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import NewTopic as RdNewTopic
from kafka.admin import KafkaAdminClient, NewTopic as PyNewTopic
from kafka.errors import TopicAlreadyExistsError

from itest import java_tool, rdkafka


def partition_count(bootstrap: str, topic: str) -> int:
    md = rdkafka.admin(bootstrap).list_topics(topic, timeout=10)
    t = md.topics[topic]
    assert t.error is None, t.error
    return len(t.partitions)


def test_create_topic_librdkafka(broker, topic_name):
    admin = rdkafka.admin(broker.bootstrap)
    fut = admin.create_topics([RdNewTopic(topic_name, num_partitions=4, replication_factor=1)])
    fut[topic_name].result(timeout=30)
    assert partition_count(broker.bootstrap, topic_name) == 4

    fut = admin.create_topics([RdNewTopic(topic_name, num_partitions=4, replication_factor=1)])
    with pytest.raises(KafkaException) as e:
        fut[topic_name].result(timeout=30)
    assert e.value.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS


def test_create_topic_kafka_python(broker, topic_name):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        admin.create_topics([PyNewTopic(topic_name, 2, 1)])
        assert partition_count(broker.bootstrap, topic_name) == 2
        assert topic_name in admin.list_topics()
        with pytest.raises(TopicAlreadyExistsError):
            admin.create_topics([PyNewTopic(topic_name, 2, 1)])
    finally:
        admin.close()


def test_create_topic_java(broker, topic_name):
    res = java_tool.check("create-topic", broker.bootstrap, topic=topic_name, partitions=3)
    assert res.get("created") is True, res
    assert partition_count(broker.bootstrap, topic_name) == 3
    rc, res = java_tool.run("create-topic", broker.bootstrap, topic=topic_name, partitions=3)
    assert rc == 1 and res.get("error") == "TopicExistsException", res


def test_created_topic_is_usable_by_every_family(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 2)
    rdkafka.produce(broker.bootstrap, topic_name, 200, 2)
    res = java_tool.check("consume", broker.bootstrap, topic=topic_name, expected=200,
                          partitions=2)
    assert res.get("ok") is True, res
