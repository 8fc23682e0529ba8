"""Admin APIs through real clients: CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs,
AlterConfigs, IncrementalAlterConfigs, DescribeCluster and InitProducerId (idempotent producers),
with librdkafka's AdminClient (confluent-kafka) and kafka-python's KafkaAdminClient. Fields and
versions no client exposes are covered by test_admin_apis_raw.py."""

import time

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource,
                                   NewPartitions, NewTopic, ResourceType)
from kafka.admin import ConfigResource as PyConfigResource
from kafka.admin import ConfigResourceType, KafkaAdminClient
from kafka.admin import NewPartitions as PyNewPartitions
from kafka.admin import NewTopic as PyNewTopic
from kafka.errors import InvalidPartitionsError

from itest import rdkafka

NODE_ID = 1  # the fixture starts the broker with node.id=1
INVALID_CONFIG = 40


def topic_exists(bootstrap: str, topic: str) -> bool:
    t = rdkafka.admin(bootstrap).list_topics(timeout=10).topics.get(topic)
    return t is not None and t.error is None


def partitions_of(bootstrap: str, topic: str) -> int:
    return len(rdkafka.admin(bootstrap).list_topics(topic, timeout=10).topics[topic].partitions)


def rd_error(fut) -> KafkaError:
    with pytest.raises(KafkaException) as e:
        fut.result(timeout=30)
    return e.value.args[0]


def rd_topic_configs(admin, topic: str) -> dict:
    res = ConfigResource(ResourceType.TOPIC, topic)
    return admin.describe_configs([res])[res].result(timeout=30)


# ---------------------------------------------------------------- CreateTopics / DeleteTopics

def test_create_validate_only_and_errors_librdkafka(broker, topic_name):
    admin = rdkafka.admin(broker.bootstrap)
    fut = admin.create_topics([NewTopic(topic_name, 3, 1)], validate_only=True)
    fut[topic_name].result(timeout=30)
    assert not topic_exists(broker.bootstrap, topic_name)

    err = rd_error(admin.create_topics([NewTopic(topic_name, 1, 3)])[topic_name])
    assert err.code() == KafkaError.INVALID_REPLICATION_FACTOR
    assert "only 1 broker(s) are registered" in err.str()

    err = rd_error(admin.create_topics([NewTopic(topic_name, 1, 1, config={"cleanup.policy": "bogus"})])[topic_name])
    assert err.code() == KafkaError.INVALID_CONFIG

    err = rd_error(admin.create_topics([NewTopic(topic_name, 2, -1, replica_assignment=[[1], [1, 1]])])[topic_name])
    assert err.code() == KafkaError.INVALID_REPLICA_ASSIGNMENT
    assert not topic_exists(broker.bootstrap, topic_name)

    admin.create_topics([NewTopic(topic_name, 2, -1, replica_assignment=[[1], [1]])])[topic_name].result(timeout=30)
    assert partitions_of(broker.bootstrap, topic_name) == 2


def test_delete_topics_librdkafka(broker, topic_name):
    admin = rdkafka.admin(broker.bootstrap)
    rdkafka.create_topic(broker.bootstrap, topic_name, 2)
    admin.delete_topics([topic_name])[topic_name].result(timeout=30)
    assert not topic_exists(broker.bootstrap, topic_name)
    err = rd_error(admin.delete_topics([topic_name])[topic_name])
    assert err.code() == KafkaError.UNKNOWN_TOPIC_OR_PART
    # The name is free again.
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)


def test_create_delete_kafka_python(broker, topic_name):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        resp = admin.create_topics([PyNewTopic(topic_name, 2, 1)], validate_only=True)
        assert [t[1] for t in resp.topic_errors] == [0]
        assert not topic_exists(broker.bootstrap, topic_name)
        admin.create_topics([PyNewTopic(topic_name, 2, 1)])
        assert partitions_of(broker.bootstrap, topic_name) == 2
        resp = admin.delete_topics([topic_name])
        assert [t[1] for t in resp.topic_error_codes] == [0]
        assert not topic_exists(broker.bootstrap, topic_name)
    finally:
        admin.close()


# ---------------------------------------------------------------- CreatePartitions

def test_create_partitions_librdkafka(broker, topic_name):
    admin = rdkafka.admin(broker.bootstrap)
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    admin.create_partitions([NewPartitions(topic_name, 4)], validate_only=True)[topic_name].result(timeout=30)
    assert partitions_of(broker.bootstrap, topic_name) == 1
    admin.create_partitions([NewPartitions(topic_name, 3)])[topic_name].result(timeout=30)
    assert partitions_of(broker.bootstrap, topic_name) == 3

    err = rd_error(admin.create_partitions([NewPartitions(topic_name, 2)])[topic_name])
    assert err.code() == KafkaError.INVALID_PARTITIONS
    assert err.str() == f"The topic {topic_name} currently has 3 partition(s); 2 would not be an increase."
    err = rd_error(admin.create_partitions([NewPartitions(topic_name, 3)])[topic_name])
    assert err.code() == KafkaError.INVALID_PARTITIONS
    assert err.str() == "Topic already has 3 partition(s)."
    err = rd_error(admin.create_partitions([NewPartitions(topic_name, 5, replica_assignment=[[1]])])[topic_name])
    assert err.code() == KafkaError.INVALID_REPLICA_ASSIGNMENT
    err = rd_error(admin.create_partitions([NewPartitions(topic_name, 4, replica_assignment=[[7]])])[topic_name])
    assert err.code() == KafkaError.INVALID_REPLICA_ASSIGNMENT
    admin.create_partitions([NewPartitions(topic_name, 4, replica_assignment=[[1]])])[topic_name].result(timeout=30)
    assert partitions_of(broker.bootstrap, topic_name) == 4

    err = rd_error(admin.create_partitions([NewPartitions("missing-" + topic_name, 2)])["missing-" + topic_name])
    assert err.code() == KafkaError.UNKNOWN_TOPIC_OR_PART
    # New partitions take records.
    rdkafka.produce(broker.bootstrap, topic_name, 40, 4)


def test_create_partitions_kafka_python(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        resp = admin.create_partitions({topic_name: PyNewPartitions(2)})
        assert [r[1] for r in resp.topic_errors] == [0]
        assert partitions_of(broker.bootstrap, topic_name) == 2
        with pytest.raises(InvalidPartitionsError):
            admin.create_partitions({topic_name: PyNewPartitions(1)})
    finally:
        admin.close()


# ---------------------------------------------------------------- DescribeConfigs

def test_describe_topic_configs_librdkafka(broker, topic_name):
    admin = rdkafka.admin(broker.bootstrap)
    fut = admin.create_topics([NewTopic(topic_name, 1, 1, config={"retention.ms": "3600000"})])
    fut[topic_name].result(timeout=30)
    configs = rd_topic_configs(admin, topic_name)
    assert configs["retention.ms"].value == "3600000"
    assert configs["retention.ms"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    assert configs["cleanup.policy"].value == "delete"
    assert configs["cleanup.policy"].source == ConfigSource.DEFAULT_CONFIG.value
    assert configs["segment.bytes"].source == ConfigSource.DEFAULT_CONFIG.value

    res = ConfigResource(ResourceType.TOPIC, "missing-" + topic_name)
    err = rd_error(admin.describe_configs([res])[res])
    assert err.code() == KafkaError.UNKNOWN_TOPIC_OR_PART


def test_describe_broker_configs_librdkafka(broker):
    admin = rdkafka.admin(broker.bootstrap)
    res = ConfigResource(ResourceType.BROKER, str(NODE_ID))
    configs = admin.describe_configs([res])[res].result(timeout=30)
    assert configs["node.id"].value == str(NODE_ID)
    assert configs["node.id"].is_read_only
    assert configs["num.partitions"].value == "1"
    assert configs["log.retention.hours"].value == "168"
    assert configs["log.retention.ms"].source in (ConfigSource.DEFAULT_CONFIG.value,
                                                  ConfigSource.STATIC_BROKER_CONFIG.value)
    assert not configs["log.retention.ms"].is_read_only



def test_describe_configs_kafka_python(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        (resp,) = admin.describe_configs([PyConfigResource(ConfigResourceType.TOPIC, topic_name,
                                                           configs={"cleanup.policy": None})])
        ((err, _msg, _type, name, entries),) = resp.resources
        assert (err, name) == (0, topic_name)
        assert [e[0] for e in entries] == ["cleanup.policy"]
        assert entries[0][1] == "delete"

        (resp,) = admin.describe_configs([PyConfigResource(ConfigResourceType.BROKER, str(NODE_ID))])
        ((err, _msg, _type, _name, entries),) = resp.resources
        assert err == 0
        assert {e[0]: e[1] for e in entries}["auto.create.topics.enable"] == "true"
    finally:
        admin.close()


# ---------------------------------------------------------------- AlterConfigs / IncrementalAlterConfigs

def test_incremental_alter_topic_configs_librdkafka(broker, topic_name):
    admin = rdkafka.admin(broker.bootstrap)
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    res = ConfigResource(ResourceType.TOPIC, topic_name, incremental_configs=[
        ConfigEntry("retention.ms", "7200000", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.APPEND),
    ])
    admin.incremental_alter_configs([res])[res].result(timeout=30)
    configs = rd_topic_configs(admin, topic_name)
    assert configs["retention.ms"].value == "7200000"
    assert configs["retention.ms"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    assert configs["cleanup.policy"].value == "delete,compact"
    assert configs["cleanup.policy"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value

    res = ConfigResource(ResourceType.TOPIC, topic_name, incremental_configs=[
        ConfigEntry("retention.ms", None, incremental_operation=AlterConfigOpType.DELETE),
        ConfigEntry("cleanup.policy", "delete", incremental_operation=AlterConfigOpType.SUBTRACT),
    ])
    admin.incremental_alter_configs([res])[res].result(timeout=30)
    configs = rd_topic_configs(admin, topic_name)
    assert configs["retention.ms"].source == ConfigSource.DEFAULT_CONFIG.value
    assert configs["cleanup.policy"].value == "compact"

    # validate_only changes nothing; bad values and non-list APPEND are INVALID_CONFIG.
    res = ConfigResource(ResourceType.TOPIC, topic_name, incremental_configs=[
        ConfigEntry("segment.ms", "1000", incremental_operation=AlterConfigOpType.SET)])
    admin.incremental_alter_configs([res], validate_only=True)[res].result(timeout=30)
    assert rd_topic_configs(admin, topic_name)["segment.ms"].source == ConfigSource.DEFAULT_CONFIG.value
    for entry in (ConfigEntry("segment.ms", "soon", incremental_operation=AlterConfigOpType.SET),
                  ConfigEntry("segment.ms", "1", incremental_operation=AlterConfigOpType.APPEND),
                  ConfigEntry("no.such.config", "1", incremental_operation=AlterConfigOpType.SET)):
        res = ConfigResource(ResourceType.TOPIC, topic_name, incremental_configs=[entry])
        assert rd_error(admin.incremental_alter_configs([res])[res]).code() == KafkaError.INVALID_CONFIG

    res = ConfigResource(ResourceType.TOPIC, "missing-" + topic_name, incremental_configs=[
        ConfigEntry("retention.ms", "1000", incremental_operation=AlterConfigOpType.SET)])
    assert rd_error(admin.incremental_alter_configs([res])[res]).code() == KafkaError.UNKNOWN_TOPIC_OR_PART


@pytest.mark.filterwarnings("ignore:alter_configs has been deprecated")
def test_legacy_alter_configs_replaces_overrides_librdkafka(broker, topic_name):
    admin = rdkafka.admin(broker.bootstrap)
    fut = admin.create_topics([NewTopic(topic_name, 1, 1, config={"retention.ms": "3600000"})])
    fut[topic_name].result(timeout=30)
    res = ConfigResource(ResourceType.TOPIC, topic_name, set_config={"segment.bytes": "1048576"})
    admin.alter_configs([res])[res].result(timeout=30)
    configs = rd_topic_configs(admin, topic_name)
    assert configs["segment.bytes"].value == "1048576"
    assert configs["segment.bytes"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    # AlterConfigs replaces the whole set: the earlier override is gone.
    assert configs["retention.ms"].source == ConfigSource.DEFAULT_CONFIG.value


def test_alter_configs_kafka_python(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        resp = admin.alter_configs([PyConfigResource(ConfigResourceType.TOPIC, topic_name,
                                                     configs={"max.message.bytes": "2000000"})])
        assert [r[0] for r in resp.resources] == [0]
        (resp,) = admin.describe_configs([PyConfigResource(ConfigResourceType.TOPIC, topic_name,
                                                           configs={"max.message.bytes": None})])
        ((_, _, _, _, entries),) = resp.resources
        assert entries[0][0:2] == ("max.message.bytes", "2000000")
        resp = admin.alter_configs([PyConfigResource(ConfigResourceType.TOPIC, topic_name,
                                                     configs={"max.message.bytes": "-5"})])
        assert [r[0] for r in resp.resources] == [INVALID_CONFIG]
    finally:
        admin.close()


def test_broker_config_changes_are_validated_librdkafka(broker):
    admin = rdkafka.admin(broker.bootstrap)

    def alter(name, value, validate_only, broker_id=str(NODE_ID)):
        res = ConfigResource(ResourceType.BROKER, broker_id, incremental_configs=[
            ConfigEntry(name, value, incremental_operation=AlterConfigOpType.SET)])
        return admin.incremental_alter_configs([res], validate_only=validate_only)[res]

    alter("log.retention.ms", "3600000", True).result(timeout=30)
    err = rd_error(alter("node.id", "5", True))  # read-only
    assert err.code() == KafkaError.INVALID_REQUEST
    assert "Cannot update these configs dynamically" in err.str()
    assert rd_error(alter("log.retention.ms", "x", True)).code() == KafkaError.INVALID_CONFIG
    # A real change is recorded (in the metadata log) and shown as this broker's dynamic config,
    # as Kafka shows it.
    alter("log.retention.ms", "3600000", False).result(timeout=30)
    res = ConfigResource(ResourceType.BROKER, str(NODE_ID))
    configs = admin.describe_configs([res])[res].result(timeout=30)
    assert configs["log.retention.ms"].value == "3600000"
    assert configs["log.retention.ms"].source == ConfigSource.DYNAMIC_BROKER_CONFIG.value


# ---------------------------------------------------------------- DescribeCluster

def test_describe_cluster_librdkafka(broker):
    admin = rdkafka.admin(broker.bootstrap)
    # librdkafka answers this from Metadata v12, which no longer carries cluster operations;
    # the DescribeCluster API itself is covered by the raw test below.
    desc = admin.describe_cluster().result(timeout=30)
    assert desc.cluster_id
    assert desc.controller is not None and desc.controller.id == NODE_ID
    host, port = broker.bootstrap.rsplit(":", 1)
    assert [(n.id, n.host, n.port) for n in desc.nodes] == [(NODE_ID, host, int(port))]


# ---------------------------------------------------------------- InitProducerId

def test_idempotent_producer_librdkafka(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 2)
    p = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True, "linger.ms": 5})
    errors = []
    for i in range(500):
        p.produce(topic_name, key=str(i % 7).encode(), value=b"v%d" % i, partition=i % 2,
                  on_delivery=lambda err, msg: err and errors.append(err))
    assert p.flush(30) == 0
    assert errors == []
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "g-" + topic_name,
                  "enable.auto.commit": False})
    c.assign([TopicPartition(topic_name, part, OFFSET_BEGINNING) for part in (0, 1)])
    seen = []
    deadline = time.monotonic() + 30
    while len(seen) < 500 and time.monotonic() < deadline:
        m = c.poll(1)
        if m is not None and m.error() is None:
            seen.append(m.value())
    c.close()
    assert sorted(seen) == sorted(b"v%d" % i for i in range(500))


def test_idempotent_producer_kafka_python(broker, topic_name):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition as PyTP
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    p = KafkaProducer(bootstrap_servers=broker.bootstrap, enable_idempotence=True, acks="all")
    futures = [p.send(topic_name, value=b"k%d" % i, partition=0) for i in range(200)]
    p.flush(30)
    offsets = [f.get(timeout=30).offset for f in futures]
    p.close()
    assert offsets == list(range(200))
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000)
    c.assign([PyTP(topic_name, 0)])
    c.seek_to_beginning()
    values = [m.value for _, m in zip(range(200), c)]
    c.close()
    assert values == [b"k%d" % i for i in range(200)]
