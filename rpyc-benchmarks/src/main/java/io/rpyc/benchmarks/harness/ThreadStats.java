package io.rpyc.benchmarks.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Per-thread-group counters of this process, for the profile mode: bytes allocated (the JVM's
 * per-thread counters), CPU time, and voluntary context switches from {@code /proc} (a thread that
 * blocks and is woken again counts one: a thread hop). Threads are grouped by name without the
 * trailing number ({@code rpyc-worker-3} → {@code rpyc-worker}); the kernel keeps only 15
 * characters of a name, so the /proc figures are grouped by that prefix.
 */
final class ThreadStats {
  /** Counters of one group, in {@link #FIELDS} order. */
  static final String[] FIELDS = {
    "allocBytes", "cpuNanos", "voluntarySwitches", "threads", "userTicks", "systemTicks"
  };

  private ThreadStats() {}

  /** The current thread's counters: allocated bytes, CPU nanoseconds, voluntary switches. */
  static long[] self() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long voluntary = 0;
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc/thread-self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("voluntary_ctxt_switches:")) {
          voluntary = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    long user = 0;
    long system = 0;
    try {
      String stat = Files.readString(Path.of("/proc/thread-self/stat"), StandardCharsets.US_ASCII);
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      user = Long.parseLong(fields[11]);
      system = Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return new long[] {
      threads.getCurrentThreadAllocatedBytes(),
      threads.getCurrentThreadCpuTime(),
      voluntary,
      1,
      user,
      system
    };
  }

  /** A snapshot: group → counters. */
  static Map<String, long[]> snapshot() {
    Map<String, long[]> groups = new TreeMap<>();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] ids = threads.getAllThreadIds();
    long[] alloc = threads.getThreadAllocatedBytes(ids);
    ThreadInfo[] infos = threads.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] != null && alloc[i] > 0) {
        groups.computeIfAbsent(group(infos[i].getThreadName()), k -> new long[FIELDS.length])[0] +=
            alloc[i];
      }
    }
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
          String[] sched =
              Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII).split(" ");
          long voluntary = 0;
          for (String line :
              Files.readAllLines(task.resolve("status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              voluntary = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
          }
          String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long[] g = groupFor(groups, group(name));
          g[1] += Long.parseLong(sched[0]);
          g[2] += voluntary;
          g[3]++;
          g[4] += Long.parseLong(fields[11]); // utime: field 14 of stat, counted from state (3)
          g[5] += Long.parseLong(fields[12]); // stime
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // not Linux: allocation only
    }
    return groups;
  }

  /** The group a /proc name belongs to: the Java group whose name it is a prefix of, if any. */
  private static long[] groupFor(Map<String, long[]> groups, String shortName) {
    for (Map.Entry<String, long[]> e : groups.entrySet()) {
      if (shortName.length() >= 14 && e.getKey().startsWith(shortName)) {
        return e.getValue();
      }
    }
    return groups.computeIfAbsent(shortName, k -> new long[FIELDS.length]);
  }

  static String group(String threadName) {
    String g = threadName.replaceAll("[-#]?\\d+$", "");
    return g.endsWith("-") ? g.substring(0, g.length() - 1) : g;
  }

  /** {@code group=a:b:c:d;...}, for sending over a connection. */
  static String format(Map<String, long[]> snapshot) {
    StringBuilder sb = new StringBuilder();
    snapshot.forEach(
        (k, v) -> {
          sb.append(sb.length() == 0 ? "" : ";").append(k.replace(';', '_').replace('=', '_'));
          sb.append('=');
          for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ":").append(v[i]);
          }
        });
    return sb.toString();
  }

  static Map<String, long[]> parse(String text) {
    Map<String, long[]> m = new TreeMap<>();
    for (String entry : text.split(";")) {
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.lastIndexOf('=');
      String[] parts = entry.substring(eq + 1).split(":");
      long[] v = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        v[i] = Long.parseLong(parts[i]);
      }
      m.put(entry.substring(0, eq), v);
    }
    return m;
  }

  /** {@code after - before}, per group. */
  static Map<String, long[]> diff(Map<String, long[]> before, Map<String, long[]> after) {
    Map<String, long[]> d = new TreeMap<>();
    after.forEach(
        (k, a) -> {
          long[] b = before.getOrDefault(k, new long[a.length]);
          long[] r = new long[a.length];
          for (int i = 0; i < a.length; i++) {
            r[i] = a[i] - b[i];
          }
          r[3] = a[3];
          d.put(k, r);
        });
    return d;
  }
}
