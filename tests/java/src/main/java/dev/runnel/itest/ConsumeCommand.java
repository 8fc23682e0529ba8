package dev.runnel.itest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every partition of a topic from the beginning (manual assignment, no consumer group) and
 * checks each record against Payloads: per partition, seq must run 0, 1, 2, ... in offset order
 * with the exact key and value bytes. Records without a "seq" header are fine (other clients).
 */
final class ConsumeCommand {
  private ConsumeCommand() {}

  static int run(Args a) {
    String topic = a.str("topic");
    long expected = a.longValue("expected", 0);
    int partitions = a.integer("partitions", 1);
    int valueSize = a.integer("value-size", 100);
    long timeoutMs = a.longValue("timeout-ms", 60000);

    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.str("bootstrap"));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

    long[] nextSeq = new long[partitions];
    long[] lastOffset = new long[partitions];
    Arrays.fill(lastOffset, -1);
    long total = 0;
    String failure = null;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < partitions; i++) {
        tps.add(new TopicPartition(topic, i));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (total < expected && failure == null && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          failure = check(r, nextSeq, lastOffset, valueSize);
          if (failure != null) {
            break;
          }
          total++;
        }
      }
    }
    if (failure == null && total != expected) {
      failure = "consumed " + total + " of " + expected;
    }
    System.out.println("consumed=" + total + (failure == null ? " ok" : " error=" + failure));
    return failure == null ? 0 : 1;
  }

  private static String check(ConsumerRecord<byte[], byte[]> r, long[] nextSeq, long[] lastOffset,
      int valueSize) {
    int part = r.partition();
    if (part < 0 || part >= nextSeq.length) {
      return "unexpected partition " + part;
    }
    if (r.offset() <= lastOffset[part]) {
      return "offset went backwards on p" + part + ": " + r.offset() + " after " + lastOffset[part];
    }
    lastOffset[part] = r.offset();
    long seq = nextSeq[part]++;
    if (!Arrays.equals(r.key(), Payloads.key(part, seq))) {
      return "key mismatch p" + part + " offset " + r.offset() + " seq " + seq;
    }
    if (!Arrays.equals(r.value(), Payloads.value(part, seq, valueSize))) {
      return "value mismatch p" + part + " offset " + r.offset() + " seq " + seq;
    }
    Header h = r.headers().lastHeader("seq");
    if (h != null && !Long.toString(seq).equals(new String(h.value(), StandardCharsets.US_ASCII))) {
      return "header mismatch p" + part + " offset " + r.offset();
    }
    return null;
  }
}
