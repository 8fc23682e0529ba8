package runnel.golden;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.Readable;

/**
 * Reads the sample messages Runnel's C++ codec wrote (Name_vN.hex), decodes each with Apache
 * Kafka's generated class for that message (org.apache.kafka.common.message.NameData), requires
 * that every byte was consumed, re-encodes with Kafka, and writes Kafka's bytes to the golden
 * directory. Versions Kafka's jar does not support are skipped. Anything Kafka cannot parse, or
 * parses into different bytes, is reported and not written, so the C++ golden test only ever sees
 * bytes both implementations agree on.
 *
 * Usage: GoldenGen samples-dir golden-dir [--fill-missing]. With --fill-missing, versions that
 * already have a golden file are left alone (used to add versions only a newer Kafka knows).
 */
public final class GoldenGen {
  public static void main(String[] args) throws IOException {
    Path samples = Path.of(args[0]);
    Path golden = Path.of(args[1]);
    boolean fillMissing = args.length > 2 && args[2].equals("--fill-missing");
    Files.createDirectories(golden);
    List<Path> inputs;
    try (Stream<Path> s = Files.list(samples)) {
      inputs = s.filter(p -> p.toString().endsWith(".hex")).sorted().toList();
    }
    TreeMap<String, String> skipped = new TreeMap<>();
    List<String> disagreements = new ArrayList<>();
    int written = 0;
    for (Path in : inputs) {
      String stem = in.getFileName().toString().replace(".hex", "");
      int at = stem.lastIndexOf("_v");
      String name = stem.substring(0, at);
      short version = Short.parseShort(stem.substring(at + 2));
      if (fillMissing && Files.exists(golden.resolve(stem + ".hex"))) continue;
      byte[] ours = unhex(Files.readString(in).trim());
      // Request/response/header classes end in "Data"; data-only types (records) do not.
      Class<?> cls = findClass(name + "Data");
      if (cls == null) cls = findClass(name);
      if (cls == null) {
        skipped.put(stem, "no class for " + name + " in kafka-clients");
        continue;
      }
      Message probe;
      try {
        probe = (Message) cls.getConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        skipped.put(stem, "cannot instantiate " + cls.getName());
        continue;
      }
      if (version < probe.lowestSupportedVersion() || version > probe.highestSupportedVersion()) {
        skipped.put(stem, "kafka-clients supports " + probe.lowestSupportedVersion() + "-"
            + probe.highestSupportedVersion());
        continue;
      }
      try {
        Constructor<?> ctor = cls.getConstructor(Readable.class, short.class);
        ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(ours));
        Message msg = (Message) ctor.newInstance(accessor, version);
        int left = accessor.remaining();
        if (left != 0) {
          disagreements.add(stem + ": Kafka left " + left + " of " + ours.length + " bytes unread");
          continue;
        }
        ByteBuffer buf = MessageUtil.toByteBuffer(msg, version);
        byte[] theirs = new byte[buf.remaining()];
        buf.get(theirs);
        if (!java.util.Arrays.equals(ours, theirs)) {
          disagreements.add(stem + ": Kafka re-encoded differently\n  ours   " + hex(ours)
              + "\n  kafka  " + hex(theirs));
          continue;
        }
        Files.writeString(golden.resolve(stem + ".hex"), hex(theirs) + "\n");
        written++;
      } catch (InvocationTargetException e) {
        disagreements.add(stem + ": Kafka failed to decode: " + e.getCause());
      } catch (RuntimeException | ReflectiveOperationException e) {
        disagreements.add(stem + ": " + e);
      }
    }
    String kafka = org.apache.kafka.common.utils.AppInfoParser.getVersion();
    StringBuilder report = new StringBuilder();
    report.append("# Written by tests/unit/protocol/java (GoldenGen) with kafka-clients ")
        .append(kafka).append(fillMissing ? " (filling versions not covered before)" : "")
        .append('\n');
    report.append("# ").append(written).append(" golden files; versions skipped below.\n");
    skipped.forEach((k, v) -> report.append(k).append(": ").append(v).append('\n'));
    Files.writeString(golden.resolve("SKIPPED-kafka-" + kafka + ".txt"), report.toString(), StandardCharsets.UTF_8);
    System.out.println("golden files written: " + written + ", skipped: " + skipped.size()
        + ", disagreements: " + disagreements.size());
    for (String d : disagreements) System.out.println("DISAGREE " + d);
    System.exit(disagreements.isEmpty() ? 0 : 1);
  }

  private static Class<?> findClass(String simpleName) {
    for (String pkg : new String[] {"org.apache.kafka.common.message.",
                                    "org.apache.kafka.raft.generated.",
                                    "org.apache.kafka.common.message.internals."}) {
      try {
        Class<?> c = Class.forName(pkg + simpleName);
        if (Message.class.isAssignableFrom(c)) return c;
      } catch (ClassNotFoundException e) {
        // try the next package
      }
    }
    return null;
  }

  private static byte[] unhex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) sb.append(String.format("%02x", x & 0xff));
    return sb.toString();
  }
}
