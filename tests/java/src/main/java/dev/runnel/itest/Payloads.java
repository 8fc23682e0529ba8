package dev.runnel.itest;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic record contents shared by every client family in the integration tests.
 * The same definition lives in tests/integration/lib/payloads.py; a record produced by one client
 * can therefore be verified byte for byte by any other.
 *   key   = "k<partition>:<seq>"
 *   value = "p<partition>:s<seq>:" repeated and cut to exactly valueSize bytes
 * where seq is the record's position within its partition (0, 1, 2, ...).
 */
final class Payloads {
  private Payloads() {}

  static byte[] key(int partition, long seq) {
    return ("k" + partition + ":" + seq).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] value(int partition, long seq, int valueSize) {
    byte[] unit = ("p" + partition + ":s" + seq + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[valueSize];
    for (int i = 0; i < valueSize; i++) {
      out[i] = unit[i % unit.length];
    }
    return out;
  }
}
