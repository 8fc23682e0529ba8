package dev.runnel.itest;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produces deterministic records (see Payloads) and reports how many were acknowledged. */
final class ProduceCommand {
  private ProduceCommand() {}

  static int run(Args a) throws Exception {
    String topic = a.str("topic");
    long count = a.longValue("count", 1000);
    int partitions = a.integer("partitions", 1);
    int valueSize = a.integer("value-size", 100);
    long tsBase = a.longValue("timestamp-base", -1);
    long tsStep = a.longValue("timestamp-step", 1);

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.str("bootstrap"));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, a.str("compression", "none"));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, a.str("idempotence", "false"));
    p.put(ProducerConfig.ACKS_CONFIG, a.str("acks", "all"));
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (long i = 0; i < count; i++) {
        int part = (int) (i % partitions);
        long seq = i / partitions;
        Long ts = tsBase < 0 ? null : tsBase + i * tsStep;
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, part, ts,
            Payloads.key(part, seq), Payloads.value(part, seq, valueSize));
        rec.headers().add("seq", Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
        producer.send(rec, (md, err) -> {
          if (err == null) {
            acked.incrementAndGet();
          } else {
            failed.incrementAndGet();
            firstError.compareAndSet(null, err.toString());
          }
        });
      }
      producer.flush();
    }
    System.out.println("acked=" + acked.get() + " failed=" + failed.get()
        + (firstError.get() == null ? "" : " first_error=" + firstError.get()));
    return failed.get() == 0 && acked.get() == count ? 0 : 1;
  }
}
