package io.rpyc.benchmarks.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bin/rpyc-bench --profile}: rpyc-java's {@code add} for a while with 1 thread, 8 threads
 * and pipelined, reporting per call and per thread group on each side: bytes allocated, CPU time
 * and voluntary context switches (each one a thread that blocked and was woken: a thread hop). Run
 * it under JFR ({@code JAVA_OPTS=-XX:StartFlightRecording=...} for the client, {@code
 * --rpyc-server-opt} for the server) to see where the CPU time goes.
 */
final class ProfileMode {
  private ProfileMode() {}

  static void main(Options options, PrintStream out) throws Exception {
    List<String> jvm = new ArrayList<>(List.of("-Xms256m", "-Xmx2g", "-XX:+UseG1GC"));
    jvm.addAll(options.rpycServerJvmOptions);
    try (ServerProcess server = ServerProcess.java("rpyc", jvm);
        RpycTarget target =
            new RpycTarget(
                SideBySide.RPYC, "rpyc-java", Integer.parseInt(server.address()), false)) {
      System.err.println("started " + server + "; warming up");
      long millis = options.millis;
      long[] ignored = new long[ThreadStats.FIELDS.length];
      for (int threads : new int[] {1, 8, 0, 1}) { // until C2 has compiled the paths
        run(target, threads, TimeUnit.SECONDS.toNanos(3), options.window, ignored);
      }
      out.println("profile of rpyc-java add (client: this JVM, server: pid " + server.pid() + ")");
      out.println("load average: " + Machine.loadAverage());
      for (int threads : new int[] {1, 8, 0}) {
        Map<String, long[]> clientBefore = ThreadStats.snapshot();
        Map<String, long[]> serverBefore = ThreadStats.parse(target.threadReport());
        long start = System.nanoTime();
        long[] callers = new long[ThreadStats.FIELDS.length];
        long calls =
            run(target, threads, TimeUnit.MILLISECONDS.toNanos(millis), options.window, callers);
        long elapsed = System.nanoTime() - start;
        Map<String, long[]> serverAfter = ThreadStats.parse(target.threadReport());
        Map<String, long[]> clientAfter = ThreadStats.snapshot();
        clientAfter.put("bench-caller (calling threads)", callers);
        out.println();
        out.printf(
            Locale.ROOT,
            "%s: %,d calls in %.1f s = %,.0f calls/s, %.1f µs wall per call%n",
            threads == 0 ? "pipelined (window " + options.window + ")" : threads + " thread(s)",
            calls,
            elapsed / 1e9,
            calls / (elapsed / 1e9),
            elapsed / 1e3 / calls);
        print(out, "client", ThreadStats.diff(clientBefore, clientAfter), calls);
        print(out, "server", ThreadStats.diff(serverBefore, serverAfter), calls);
      }
    }
    System.exit(0);
  }

  private static void print(PrintStream out, String side, Map<String, long[]> diff, long calls) {
    out.printf(
        Locale.ROOT,
        "  %-6s %-34s %11s %12s %9s %13s%n",
        side,
        "thread group (threads)",
        "bytes/call",
        "CPU µs/call",
        "in kernel",
        "wakeups/call");
    long[] total = new long[ThreadStats.FIELDS.length];
    diff.forEach(
        (group, v) -> {
          if (v[0] == 0 && v[1] == 0 && v[2] == 0) {
            return;
          }
          for (int i = 0; i < v.length; i++) {
            total[i] += i == 3 ? 0 : v[i];
          }
          if (v[0] / (double) calls < 1
              && v[1] / 1e3 / calls < 0.05
              && v[2] / (double) calls < 0.01) {
            return; // idle
          }
          out.printf(
              Locale.ROOT,
              "         %-34s %11.0f %12.2f %9s %13.2f%n",
              group + " (" + v[3] + ")",
              v[0] / (double) calls,
              v[1] / 1e3 / calls,
              kernelShare(v),
              v[2] / (double) calls);
        });
    out.printf(
        Locale.ROOT,
        "         %-34s %11.0f %12.2f %9s %13.2f%n",
        "total",
        total[0] / (double) calls,
        total[1] / 1e3 / calls,
        kernelShare(total),
        total[2] / (double) calls);
  }

  /** The share of a group's CPU time spent in the kernel (from /proc's 10 ms ticks). */
  private static String kernelShare(long[] v) {
    long ticks = v[4] + v[5];
    return ticks < 20 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100.0 * v[5] / ticks);
  }

  /**
   * Runs {@code threads} callers (0: one pipelining caller) for {@code nanos}; returns the number
   * of calls and adds the callers' own counters (measured by each caller around its loop, as the
   * callers are gone before the next snapshot) to {@code callers}.
   */
  private static long run(RpycTarget t, int threads, long nanos, int window, long[] callers)
      throws Exception {
    LongAdder calls = new LongAdder();
    AtomicReference<Exception> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(Math.max(1, threads));
    long deadline = System.nanoTime() + nanos;
    for (int i = 0; i < Math.max(1, threads); i++) {
      Thread thread =
          new Thread(
              () -> {
                long[] before = ThreadStats.self();
                try {
                  long n = 0;
                  if (threads == 0) {
                    n = t.pipelined(window, deadline - System.nanoTime(), Long.MAX_VALUE);
                  } else {
                    while (System.nanoTime() < deadline) {
                      t.add((int) n, 1);
                      n++;
                    }
                  }
                  calls.add(n);
                } catch (Exception e) {
                  failure.compareAndSet(null, e);
                } finally {
                  long[] after = ThreadStats.self();
                  synchronized (callers) {
                    for (int k = 0; k < after.length; k++) {
                      callers[k] += after[k] - before[k];
                    }
                    callers[3] = Math.max(1, threads);
                  }
                  done.countDown();
                }
              },
              "bench-caller-" + i);
      thread.start();
    }
    done.await();
    if (failure.get() != null) {
      throw failure.get();
    }
    return calls.sum();
  }
}
