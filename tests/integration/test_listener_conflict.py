"""A port that is already taken: Kafka fails to start with "Address already in use". Runnel binds
its listeners on every core with SO_REUSEPORT, which a second process of the same user could
join; the broker must refuse instead, or the two would split the clients' connections between
them. Both the Kafka listener and the admin listener are checked, and the first broker keeps
serving every new connection."""

import subprocess
import urllib.request

import pytest
from confluent_kafka import TopicPartition

from itest import rdkafka
from itest.broker import free_port, target

pytestmark = pytest.mark.skipif(target() != "runnel", reason="starts runnel-broker directly")


def second_broker(binary, tmp_path, port, admin_port):
    return subprocess.run(
        [binary, "--override", f"listeners=PLAINTEXT://127.0.0.1:{port}",
         "--override", f"log.dirs={tmp_path / 'second'}", "--override", "node.id=2",
         "--override", f"runnel.admin.listeners=http://127.0.0.1:{admin_port}"],
        capture_output=True, text=True, timeout=30)


def test_a_taken_port_stops_the_second_broker_and_the_first_keeps_every_connection(broker_factory, tmp_path,
                                                                                   topic_name):
    first = broker_factory()
    rdkafka.create_topic(first.bootstrap, topic_name, 1)

    kafka_port_taken = second_broker(first.binary, tmp_path, first.port, free_port())
    assert kafka_port_taken.returncode != 0
    assert "Address already in use" in kafka_port_taken.stdout + kafka_port_taken.stderr

    admin_port_taken = second_broker(first.binary, tmp_path, free_port(), first.admin_port)
    assert admin_port_taken.returncode != 0
    assert "Address already in use" in admin_port_taken.stdout + admin_port_taken.stderr

    # Every fresh connection reaches the first broker: each new client sees the topic and
    # the records the previous clients wrote.
    for i in range(10):
        rdkafka.produce(first.bootstrap, topic_name, 10)
        c = rdkafka.consumer(first.bootstrap, **{"group.id": f"g{i}"})
        try:
            lo, hi = c.get_watermark_offsets(TopicPartition(topic_name, 0), timeout=10)
        finally:
            c.close()
        assert hi - lo == 10 * (i + 1)
    with urllib.request.urlopen(first.admin_url + "/healthz", timeout=10) as r:
        assert r.status == 200
