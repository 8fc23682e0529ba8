// The admin client of bench/run.sh --metadata: Kafka's own Java AdminClient (the jars of bench/kafka),
// driven line by line over stdin so that one warm client serves every step of a run and the JVM's
// start-up is never timed. Each command prints one JSON line on stdout; times are measured here with
// System.nanoTime around the admin calls.
//
//   create PREFIX FROM TO PARTITIONS RF BATCH INFLIGHT  topics PREFIX-FROM..PREFIX-(TO-1), createTopics
//                                                       calls of BATCH topics, at most INFLIGHT calls at once
//   delete PREFIX FROM TO BATCH INFLIGHT                deleteTopics the same way
//   addparts TOPIC TOTAL                                createPartitions to TOTAL, time to the acknowledgement
//   create_retry TOPIC PARTITIONS RF DEADLINE_MS        createTopics of one topic again and again until one
//                                                       succeeds (TopicExists after a retry counts as success)
//   leader                                              describeMetadataQuorum: the active controller's id
//   quit
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

public class MetadataAdmin {
  static String q(String s) {
    return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "'").replace("\n", " ") + "\"";
  }

  static double ms(long t0) { return (System.nanoTime() - t0) / 1e6; }

  static Throwable cause(Throwable e) { return e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e; }

  // Runs `calls` admin calls (each a list of topic names) with at most `inflight` outstanding.
  interface Call { KafkaFuture<Void> run(List<String> names); }

  static String batches(String prefix, int from, int to, int batch, int inflight, Call call) throws Exception {
    Semaphore slots = new Semaphore(inflight);
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<String> first = new AtomicReference<>();
    List<Double> callMs = java.util.Collections.synchronizedList(new ArrayList<>());
    List<KafkaFuture<Void>> all = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = from; i < to; i += batch) {
      List<String> names = new ArrayList<>();
      for (int j = i; j < Math.min(to, i + batch); j++) names.add(prefix + "-" + j);
      slots.acquire();
      long c0 = System.nanoTime();
      KafkaFuture<Void> f = call.run(names);
      f.whenComplete((v, e) -> {
        callMs.add(ms(c0));
        if (e != null) {
          errors.incrementAndGet();
          first.compareAndSet(null, cause(e).toString());
        }
        slots.release();
      });
      all.add(f);
    }
    for (KafkaFuture<Void> f : all) {
      try { f.get(); } catch (ExecutionException e) { /* counted above */ }
    }
    double total = ms(t0);
    StringBuilder calls = new StringBuilder();
    synchronized (callMs) {
      for (double c : callMs) calls.append(calls.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", c));
    }
    return String.format(Locale.ROOT, "{\"ok\":%b,\"ms\":%.1f,\"calls\":%d,\"errors\":%d,\"first_error\":%s,\"call_ms\":[%s]}",
        errors.get() == 0, total, all.size(), errors.get(), q(first.get()), calls);
  }

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(p)) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
      System.out.println("{\"ready\":true}");
      System.out.flush();
      String line;
      while ((line = in.readLine()) != null) {
        String[] a = line.trim().split("\\s+");
        String out;
        try {
          switch (a[0]) {
            case "create": {
              int parts = Integer.parseInt(a[4]);
              short rf = Short.parseShort(a[5]);
              out = batches(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[6]), Integer.parseInt(a[7]),
                  names -> {
                    List<NewTopic> ts = new ArrayList<>();
                    for (String n : names) ts.add(new NewTopic(n, parts, rf));
                    return admin.createTopics(ts).all();
                  });
              break;
            }
            case "delete":
              out = batches(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[5]),
                  names -> admin.deleteTopics(names).all());
              break;
            case "addparts": {
              long t0 = System.nanoTime();
              String err = null;
              try {
                admin.createPartitions(java.util.Map.of(a[1], NewPartitions.increaseTo(Integer.parseInt(a[2])))).all().get();
              } catch (ExecutionException e) {
                err = cause(e).toString();
              }
              out = String.format(Locale.ROOT, "{\"ok\":%b,\"ms\":%.2f,\"error\":%s}", err == null, ms(t0), q(err));
              break;
            }
            case "create_retry": {
              long t0 = System.nanoTime();
              long deadline = t0 + Long.parseLong(a[4]) * 1_000_000L;
              int attempts = 0;
              List<String> errs = new ArrayList<>();
              boolean ok = false;
              while (!ok && System.nanoTime() < deadline) {
                attempts++;
                try {
                  admin.createTopics(List.of(new NewTopic(a[1], Integer.parseInt(a[2]), Short.parseShort(a[3])))).all().get();
                  ok = true;
                } catch (ExecutionException e) {
                  Throwable c = cause(e);
                  if (c instanceof TopicExistsException && attempts > 1) {
                    ok = true;
                  } else {
                    errs.add(String.format(Locale.ROOT, "%.0fms %s", ms(t0), c.getClass().getSimpleName()));
                  }
                }
              }
              out = String.format(Locale.ROOT, "{\"ok\":%b,\"ms\":%.1f,\"attempts\":%d,\"errors\":%s}", ok, ms(t0), attempts,
                  q(String.join("; ", errs)));
              break;
            }
            case "leader":
              out = "{\"leader\":" + admin.describeMetadataQuorum().quorumInfo().get().leaderId() + "}";
              break;
            case "quit":
              return;
            default:
              out = "{\"error\":" + q("unknown command " + a[0]) + "}";
          }
        } catch (Exception e) {
          out = "{\"ok\":false,\"error\":" + q(cause(e).toString()) + "}";
        }
        System.out.println(out);
        System.out.flush();
      }
    }
  }
}
