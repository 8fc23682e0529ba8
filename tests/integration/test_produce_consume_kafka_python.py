"""kafka-python: 100k records per codec and with idempotence, read back exactly by kafka-python
(and by librdkafka, which decodes the batches kafka-python wrote)."""

import pytest

from itest import kafkapy, rdkafka
from itest.cases import MATRIX, PARTITIONS, RECORDS
from kafka.admin import KafkaAdminClient, NewTopic


@pytest.mark.parametrize("compression,idempotence", [(c, i) for _, c, i in MATRIX],
                         ids=[m[0] for m in MATRIX])
def test_produce_consume(broker, topic_name, compression, idempotence):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        admin.create_topics([NewTopic(topic_name, PARTITIONS, 1)])
    finally:
        admin.close()
    codec = None if compression == "none" else compression
    kafkapy.produce(broker.bootstrap, topic_name, RECORDS, PARTITIONS,
                    compression_type=codec, enable_idempotence=idempotence)
    kafkapy.consume_verify(broker.bootstrap, topic_name, RECORDS, PARTITIONS)
    rdkafka.consume_verify(broker.bootstrap, topic_name, RECORDS, PARTITIONS)
