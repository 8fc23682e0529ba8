package dev.runnel.itest;

import java.util.HashMap;
import java.util.Map;

/** Minimal "--name value" argument parser; every subcommand reads its options from here. */
final class Args {
  private final Map<String, String> values = new HashMap<>();

  Args(String[] argv, int from) {
    for (int i = from; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --name value, got: " + a);
      }
      values.put(a.substring(2), argv[++i]);
    }
  }

  String str(String name, String dflt) {
    String v = values.get(name);
    if (v == null && dflt == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v == null ? dflt : v;
  }

  String str(String name) {
    return str(name, null);
  }

  int integer(String name, int dflt) {
    return Integer.parseInt(str(name, Integer.toString(dflt)));
  }

  long longValue(String name, long dflt) {
    return Long.parseLong(str(name, Long.toString(dflt)));
  }

  boolean bool(String name, boolean dflt) {
    return Boolean.parseBoolean(str(name, Boolean.toString(dflt)));
  }
}
