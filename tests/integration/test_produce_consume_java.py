"""Kafka's Java client: 100k records per codec and with idempotence, read back exactly by the
Java consumer and by librdkafka."""

import pytest

from itest import java_tool, rdkafka
from itest.cases import MATRIX, PARTITIONS, RECORDS


@pytest.mark.parametrize("compression,idempotence", [(c, i) for _, c, i in MATRIX],
                         ids=[m[0] for m in MATRIX])
def test_produce_consume(broker, topic_name, compression, idempotence):
    java_tool.check("create-topic", broker.bootstrap, topic=topic_name, partitions=PARTITIONS)
    res = java_tool.check("produce", broker.bootstrap, topic=topic_name, count=RECORDS,
                          partitions=PARTITIONS, compression=compression,
                          idempotence=idempotence, acks="all")
    assert res["acked"] == str(RECORDS) and res["failed"] == "0", res
    res = java_tool.check("consume", broker.bootstrap, topic=topic_name, expected=RECORDS,
                          partitions=PARTITIONS)
    assert res.get("ok") is True, res
    rdkafka.consume_verify(broker.bootstrap, topic_name, RECORDS, PARTITIONS)
