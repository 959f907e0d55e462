package io.rpyc.benchmarks.harness;

import io.rpyc.Connection;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/rpyc-bench --scale N}: one rpyc-java server (its own process) holding N idle
 * connections, opened by this process; the used heap after a full GC is measured on both sides
 * before and after, and divided by N.
 */
final class ScaleMode {
  private static final RpycConfig EVENT_LOOP =
      RpycConfig.builder().clientTransport(RpycConfig.ClientTransport.EVENT_LOOP).build();

  private ScaleMode() {}

  static void main(Options options, PrintStream out) throws Exception {
    Map<String, String> result = run(options.scaleConnections, System.err);
    out.println();
    out.println("scale: " + options.scaleConnections + " idle connections to one rpyc-java server");
    result.forEach((k, v) -> out.println("  " + k + ": " + v));
    if (options.json != null) {
      StringBuilder sb = new StringBuilder("{\n");
      int i = 0;
      for (Map.Entry<String, String> e : result.entrySet()) {
        sb.append(i++ == 0 ? "" : ",\n")
            .append("  ")
            .append(Report.quote(e.getKey()))
            .append(": ")
            .append(Report.quote(e.getValue()));
      }
      sb.append("\n}\n");
      Files.writeString(options.json, sb.toString(), StandardCharsets.UTF_8);
      out.println("JSON written to " + options.json);
    }
    System.exit(0);
  }

  static Map<String, String> run(int n, PrintStream log) throws Exception {
    Map<String, String> result = new LinkedHashMap<>();
    Machine.describe(result);
    long limit = openFileLimit();
    result.put("openFileLimit", String.valueOf(limit));
    if (limit > 0 && limit < n + 200) {
      throw new IllegalStateException(
          "the open-file limit ("
              + limit
              + ") is too low for "
              + n
              + " connections: raise it with ulimit -n (bin/rpyc-bench raises it to the hard"
              + " limit)");
    }
    try (ServerProcess server =
        ServerProcess.java("rpyc", List.of("-Xms64m", "-Xmx2g", "-XX:+UseG1GC"))) {
      int port = Integer.parseInt(server.address());
      log.println("started " + server);
      try (Connection control = Rpyc.connect("127.0.0.1", port)) {
        BenchApi api = control.root(BenchApi.class);
        Map<String, Long> serverBefore = parse(api.memoryReport());
        long clientBefore = usedHeapAfterGc();
        List<Connection> connections = Collections.synchronizedList(new ArrayList<>(n));
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
          List<Future<?>> futures = new ArrayList<>();
          for (int t = 0; t < 8; t++) {
            int share = n / 8 + (t < n % 8 ? 1 : 0);
            futures.add(
                pool.submit(
                    () -> {
                      for (int i = 0; i < share; i++) {
                        // the event-loop transport: no reader thread per connection
                        Connection c = Rpyc.connect("127.0.0.1", port, EVENT_LOOP);
                        c.root(); // an idle client has usually fetched the root
                        connections.add(c);
                      }
                      return null;
                    }));
          }
          for (Future<?> f : futures) {
            f.get(10, TimeUnit.MINUTES);
          }
        } finally {
          pool.shutdown();
        }
        double openSeconds = (System.nanoTime() - start) / 1e9;
        log.printf("opened %d connections in %.1f s%n", n, openSeconds);
        Map<String, Long> serverAfter = parse(api.memoryReport());
        long clientAfter = usedHeapAfterGc();
        result.put("connections", String.valueOf(n));
        result.put("openSeconds", String.format(Locale.ROOT, "%.1f", openSeconds));
        result.put("serverConnectionsSeen", String.valueOf(serverAfter.get("connections")));
        perConnection(result, "server", serverBefore, serverAfter, n);
        result.put("clientHeapBefore", String.valueOf(clientBefore));
        result.put("clientHeapAfter", String.valueOf(clientAfter));
        result.put("clientHeapPerConnection", String.valueOf((clientAfter - clientBefore) / n));
        long serverHeapPer = (serverAfter.get("heap") - serverBefore.get("heap")) / n;
        result.put(
            "target",
            (serverHeapPer <= 64 * 1024 ? "PASS" : "FAIL")
                + String.format(
                    Locale.ROOT,
                    " server heap per idle connection %.1f KiB (target <= 64 KiB)",
                    serverHeapPer / 1024.0));
        for (Connection c : connections) {
          c.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, Long> serverClosed = parse(api.memoryReport());
        while (serverClosed.get("connections") > 1 && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(200);
          serverClosed = parse(api.memoryReport());
        }
        result.put("serverConnectionsAfterClose", String.valueOf(serverClosed.get("connections")));
        result.put("serverHeapAfterClose", String.valueOf(serverClosed.get("heap")));
      }
    }
    return result;
  }

  private static void perConnection(
      Map<String, String> result,
      String side,
      Map<String, Long> before,
      Map<String, Long> after,
      int n) {
    for (String key : List.of("heap", "direct", "rss")) {
      long b = before.get(key);
      long a = after.get(key);
      result.put(side + capitalize(key) + "Before", String.valueOf(b));
      result.put(side + capitalize(key) + "After", String.valueOf(a));
      result.put(side + capitalize(key) + "PerConnection", String.valueOf((a - b) / n));
    }
    result.put(side + "ThreadsAfter", String.valueOf(after.get("threads")));
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static Map<String, Long> parse(String report) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String pair : report.split(",")) {
      String[] kv = pair.split("=");
      m.put(kv[0], Long.parseLong(kv[1]));
    }
    return m;
  }

  private static long usedHeapAfterGc() {
    return Long.parseLong(parse(BenchService.memoryReport(0)).get("heap").toString());
  }

  /** The soft limit on open files of this process (its children inherit it), or -1. */
  private static long openFileLimit() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("Max open files")) {
          return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
