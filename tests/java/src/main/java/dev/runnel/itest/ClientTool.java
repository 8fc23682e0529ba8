package dev.runnel.itest;

/**
 * Command-line entry point used by the Python integration tests to exercise Kafka's Java client.
 *
 *   produce      --bootstrap B --topic T --count N [--partitions P] [--compression none|gzip|...]
 *                [--idempotence true|false] [--acks all|1|0] [--value-size S]
 *   consume      --bootstrap B --topic T --expected N [--partitions P] [--value-size S]
 *                [--timeout-ms MS]
 *   consume-group --bootstrap B --group G --topic T --expected N [--timeout-ms MS]
 *                [--group-protocol classic|consumer]
 *   group-member --bootstrap B --group G (--topics T1,T2 | --pattern REGEX | --regex RE2J)
 *                [--group-protocol consumer|classic] [--instance-id I] [--assignor uniform|range]
 *                runs until stdin closes or says "close"; prints a line per assignment change
 *   create-topic --bootstrap B --topic T [--partitions P] [--replication R]
 *   list-offsets --bootstrap B --topic T [--partition I]
 *                --spec earliest|latest|max-timestamp|timestamp:<ms>
 *
 * Each command prints one machine-readable result line ("key=value ...") on stdout and exits 0 on
 * success, 1 when the check failed, 2 on bad usage. Records follow Payloads: record i of a produce
 * run goes to partition i % P with seq i / P, so a consumer can verify every byte and the order.
 */
public final class ClientTool {
  private ClientTool() {}

  public static void main(String[] argv) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    if (argv.length < 1) {
      usage("missing subcommand");
    }
    int rc;
    try {
      Args args = new Args(argv, 1);
      switch (argv[0]) {
        case "produce" -> rc = ProduceCommand.run(args);
        case "consume" -> rc = ConsumeCommand.run(args);
        case "consume-group" -> rc = GroupConsumeCommand.run(args);
        case "group-member" -> rc = GroupMemberCommand.run(args);
        case "create-topic" -> rc = AdminCommands.createTopic(args);
        case "list-offsets" -> rc = AdminCommands.listOffsets(args);
        default -> {
          usage("unknown subcommand " + argv[0]);
          rc = 2;
        }
      }
    } catch (IllegalArgumentException e) {
      usage(e.getMessage());
      rc = 2;
    }
    System.out.flush();
    System.exit(rc);
  }

  private static void usage(String why) {
    System.err.println("ClientTool: " + why);
    System.err.println("usage: produce|consume|consume-group|group-member|create-topic|list-offsets --bootstrap HOST:PORT ...");
    System.exit(2);
  }
}
