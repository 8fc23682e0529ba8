package dev.runnel.itest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumes a topic as a member of a consumer group (classic or KIP-848 protocol) (subscribe, not assign) until the
 * expected number of records arrived, then commits synchronously. Exercises the Java client's
 * JoinGroup/SyncGroup/Heartbeat/OffsetCommit path; the caller checks the committed offsets.
 */
final class GroupConsumeCommand {
  private GroupConsumeCommand() {}

  static int run(Args a) {
    String topic = a.str("topic");
    long expected = a.longValue("expected", 0);
    long timeoutMs = a.longValue("timeout-ms", 60000);

    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.str("bootstrap"));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, a.str("group"));
    // "classic" (JoinGroup/SyncGroup, the default here) or "consumer" (KIP-848's
    // ConsumerGroupHeartbeat with server-side assignment).
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, a.str("group-protocol", "classic"));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

    long total = 0;
    String failure = null;
    int committedPartitions = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (total < expected && System.currentTimeMillis() < deadline) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        total += records.count();
      }
      if (total != expected) {
        failure = "consumed " + total + " of " + expected;
      } else {
        consumer.commitSync(Duration.ofMillis(timeoutMs));
        Map<TopicPartition, OffsetAndMetadata> committed =
            consumer.committed(consumer.assignment(), Duration.ofMillis(timeoutMs));
        for (OffsetAndMetadata o : committed.values()) {
          if (o != null) {
            committedPartitions++;
          }
        }
      }
    } catch (RuntimeException e) {
      failure = e.getClass().getSimpleName();
    }
    System.out.println("consumed=" + total + " committed_partitions=" + committedPartitions
        + (failure == null ? " ok" : " error=" + failure));
    return failure == null ? 0 : 1;
  }
}
