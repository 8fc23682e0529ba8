package dev.runnel.itest;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;

/** AdminClient subcommands: create-topic and list-offsets. */
final class AdminCommands {
  private AdminCommands() {}

  private static Admin admin(Args a) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.str("bootstrap"));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(p);
  }

  /** Prints "created" or "error=<ExceptionSimpleName>" (e.g. TopicExistsException). */
  static int createTopic(Args a) throws InterruptedException {
    NewTopic topic = new NewTopic(a.str("topic"), a.integer("partitions", 1),
        (short) a.integer("replication", 1));
    try (Admin admin = admin(a)) {
      admin.createTopics(List.of(topic)).all().get();
      System.out.println("created");
      return 0;
    } catch (ExecutionException e) {
      System.out.println("error=" + e.getCause().getClass().getSimpleName());
      return 1;
    }
  }

  /** Prints "offset=<o> timestamp=<ts> leader_epoch=<e|none>" or "error=<name>". */
  static int listOffsets(Args a) throws InterruptedException {
    TopicPartition tp = new TopicPartition(a.str("topic"), a.integer("partition", 0));
    OffsetSpec spec = parseSpec(a.str("spec"));
    try (Admin admin = admin(a)) {
      Map<TopicPartition, ListOffsetsResultInfo> res =
          admin.listOffsets(Map.of(tp, spec)).all().get();
      ListOffsetsResultInfo info = res.get(tp);
      System.out.println("offset=" + info.offset() + " timestamp=" + info.timestamp()
          + " leader_epoch=" + info.leaderEpoch().map(String::valueOf).orElse("none"));
      return 0;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      String name = c instanceof ApiException ? c.getClass().getSimpleName() : c.toString();
      System.out.println("error=" + name);
      return 1;
    }
  }

  private static OffsetSpec parseSpec(String s) {
    return switch (s) {
      case "earliest" -> OffsetSpec.earliest();
      case "latest" -> OffsetSpec.latest();
      case "max-timestamp" -> OffsetSpec.maxTimestamp();
      default -> {
        if (!s.startsWith("timestamp:")) {
          throw new IllegalArgumentException("bad --spec " + s);
        }
        yield OffsetSpec.forTimestamp(Long.parseLong(s.substring("timestamp:".length())));
      }
    };
  }
}
