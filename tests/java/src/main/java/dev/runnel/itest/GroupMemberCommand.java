package dev.runnel.itest;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A long-running consumer group member for tests that watch a group change: it subscribes (to
 * topics or a pattern), polls, commits what it consumed after every poll, and prints one line per
 * event so the caller can follow it:
 *
 * <pre>
 *   assignment=t-0,t-1     after every assignment change (sorted; empty when none)
 *   consumed=N             after a poll that returned records (running total)
 *   closed                 after close() (which leaves the group) when stdin says "close" or ends
 *   error=Name             on an exception
 * </pre>
 *
 * Killing the JVM instead of closing it leaves the group without a leave, so the broker must
 * expire the member after its session timeout.
 */
final class GroupMemberCommand {
  private GroupMemberCommand() {}

  static int run(Args a) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.str("bootstrap"));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, a.str("group"));
    String protocol = a.str("group-protocol", "consumer");
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
    if ("consumer".equals(protocol) && !a.str("assignor", "").isEmpty()) {
      p.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, a.str("assignor"));
    }
    if (!a.str("instance-id", "").isEmpty()) {
      p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, a.str("instance-id"));
    }
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

    Thread stdin = new Thread(GroupMemberCommand::watchStdin, "stdin");
    stdin.setDaemon(true);
    stdin.start();
    long total = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      if (!a.str("regex", "").isEmpty()) {
        // Resolved by the broker (KIP-848 SubscribedTopicRegex), not by the client.
        consumer.subscribe(new SubscriptionPattern(a.str("regex")));
      } else if (!a.str("pattern", "").isEmpty()) {
        consumer.subscribe(Pattern.compile(a.str("pattern")));
      } else {
        consumer.subscribe(Arrays.asList(a.str("topics").split(",")));
      }
      String last = null;
      while (!closing) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          total += records.count();
          consumer.commitSync(Duration.ofSeconds(30));
          say("consumed=" + total);
        }
        String now = describe(consumer.assignment());
        if (!now.equals(last)) {
          say("assignment=" + now);
          last = now;
        }
      }
    } catch (RuntimeException e) {
      say("error=" + e.getClass().getSimpleName() + " " + e.getMessage());
      return 1;
    }
    say("closed consumed=" + total);
    return 0;
  }

  private static volatile boolean closing = false;

  private static void watchStdin() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.trim().equals("close")) {
          break;
        }
      }
    } catch (Exception e) {
      // stdin gone: same as close
    }
    closing = true;
  }

  private static String describe(Collection<TopicPartition> assignment) {
    TreeSet<String> names = new TreeSet<>();
    for (TopicPartition tp : assignment) {
      names.add(tp.topic() + "-" + tp.partition());
    }
    List<String> out = new ArrayList<>(names);
    return String.join(",", out);
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
