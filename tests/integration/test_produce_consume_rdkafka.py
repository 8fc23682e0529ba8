"""librdkafka (confluent-kafka): 100k records per codec and with idempotence, read back exactly.
One codec is also read back by the Java client to cross-check decompression across families."""

import pytest

from itest import java_tool, rdkafka
from itest.cases import MATRIX, PARTITIONS, RECORDS


@pytest.mark.parametrize("compression,idempotence", [(c, i) for _, c, i in MATRIX],
                         ids=[m[0] for m in MATRIX])
def test_produce_consume(broker, topic_name, compression, idempotence):
    rdkafka.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    offsets = rdkafka.produce(broker.bootstrap, topic_name, RECORDS, PARTITIONS,
                              **{"compression.codec": compression,
                                 "enable.idempotence": idempotence, "acks": "all"})
    # Offsets are dense per partition: record i is the (i // P)-th of partition i % P.
    for i in (0, 1, RECORDS // 2, RECORDS - 1):
        assert offsets[i] == (i % PARTITIONS, i // PARTITIONS)
    rdkafka.consume_verify(broker.bootstrap, topic_name, RECORDS, PARTITIONS)
    if compression in ("gzip", "zstd") and not idempotence:
        res = java_tool.check("consume", broker.bootstrap, topic=topic_name, expected=RECORDS,
                              partitions=PARTITIONS)
        assert res.get("ok") is True, res
