package io.rpyc.benchmarks.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bin/rpyc-bench}: rpyc-java measured side by side with Java RMI, a raw TCP ping-pong of the
 * same bytes (the floor) and Python RPyC 5.3, each server in its own process on loopback, all in
 * one run (issue 8). Prints a table with ratios to RMI and to the floor, the targets as
 * measured, and optionally writes JSON. Options: see {@link Options#USAGE}.
 */
public final class SideBySide {
  static final String RPYC = "rpyc-java";
  static final String RMI = "rmi";
  static final String RAW = "raw-tcp";
  static final String RAW_SPIN = "raw-tcp-spin";
  static final String PYTHON = "python-rpyc";
  static final String PYTHON_BOTH = "python-both";

  /** Objects the Python client creates and drops for the refs rows (it takes ~10 ms each). */
  static final int PYTHON_CLIENT_REFS = 2_000;

  /**
   * How long each target's single-caller {@code add} runs unmeasured right before the latency rows.
   * The warm-up's 8-thread and pipelined phases come after its single-thread one and leave code
   * compiled for them: in a probe (100,000 timed calls, {@code directExecutor()} server), the 99th
   * percentile read 74-77 µs after 30,000 warm-up calls and 42-53 µs after 400,000 (about 8 s); the
   * harness's three repetitions read 102, 86 and 53 µs, getting better as they went.
   */
  private static final long LATENCY_WARM_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** How long the JIT must have compiled nothing before a row starts (see {@link #settle}). */
  private static final long SETTLE_QUIET_MILLIS = 300;

  private static final long SETTLE_MAX_MILLIS = 10_000;

  private final Options options;
  private final PrintStream log;
  private final Results results = new Results();

  SideBySide(Options options, PrintStream log) {
    this.options = options;
    this.log = log;
  }

  /** Runs the harness; see {@link Options#USAGE}. */
  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    if (options.scaleConnections > 0) {
      ScaleMode.main(options, System.out);
      return;
    }
    if (options.profile) {
      ProfileMode.main(options, System.out);
      return;
    }
    Results results = new SideBySide(options, System.err).run();
    Report.print(results, System.out);
    if (options.json != null) {
      Files.writeString(options.json, Report.json(results), StandardCharsets.UTF_8);
      System.out.println("JSON written to " + options.json);
    }
    System.exit(0); // RMI's and Netty's non-daemon threads
  }

  /** Starts the servers, measures every row, stops the servers. */
  Results run() throws Exception {
    results.quick = options.quick;
    Machine.describe(results.machine);
    List<ServerProcess> servers = new ArrayList<>();
    List<Target> targets = new ArrayList<>();
    try {
      startTargets(servers, targets);
      for (Target t : targets) {
        results.targets.add(t.key);
        results.targetLabels.put(t.key, t.label);
      }
      warmUp(targets);
      measureAll(targets);
    } finally {
      for (Target t : targets) {
        try {
          t.close();
        } catch (RuntimeException e) {
          log.println("closing " + t.label + ": " + e);
        }
      }
      for (ServerProcess s : servers) {
        s.close();
      }
    }
    results.machine.put("loadAverageAfter", Machine.loadAverage());
    Report.judge(results);
    return results;
  }

  private void startTargets(List<ServerProcess> servers, List<Target> targets) throws Exception {
    List<String> jvm = List.of("-Xms256m", "-Xmx2g", "-XX:+UseG1GC");
    ServerProcess rpyc = null;
    if (options.wants(RPYC) || options.wants(RAW)) {
      List<String> rpycJvm = new ArrayList<>(jvm);
      rpycJvm.addAll(options.rpycServerJvmOptions);
      rpyc = ServerProcess.java("rpyc", rpycJvm);
      servers.add(rpyc);
      log.println("started " + rpyc);
    }
    if (options.wants(RPYC)) {
      targets.add(new RpycTarget(RPYC, "rpyc-java", Integer.parseInt(rpyc.address()), false));
    }
    if (options.wants(RMI)) {
      ServerProcess rmi = ServerProcess.java("rmi", jvm);
      servers.add(rmi);
      log.println("started " + rmi);
      targets.add(new RmiTarget(rmi.address()));
    }
    if (options.wants(RAW) || options.wants(RAW_SPIN)) {
      byte[][] frames = FrameCapture.captureAdd(Integer.parseInt(rpyc.address()));
      results.machine.put("addRequestFrameBytes", String.valueOf(frames[0].length));
      results.machine.put("addReplyFrameBytes", String.valueOf(frames[1].length));
      log.println(
          "captured an rpyc-java add: request "
              + frames[0].length
              + " bytes, reply "
              + frames[1].length
              + " bytes");
      ServerProcess raw = ServerProcess.java("tcp", jvm, HexFormat.of().formatHex(frames[1]));
      servers.add(raw);
      log.println("started " + raw);
      if (options.wants(RAW)) {
        targets.add(new RawTcpTarget(Integer.parseInt(raw.address()), frames[0], false));
      }
      if (options.wants(RAW_SPIN)) {
        targets.add(new RawTcpTarget(Integer.parseInt(raw.address()), frames[0], true));
      }
    }
    if (options.wants(PYTHON) || options.wants(PYTHON_BOTH)) {
      String why = pythonMissing(options.python);
      if (why != null) {
        results.skipped.add("Python RPyC: " + why);
        log.println("skipping Python RPyC: " + why);
      } else {
        ServerProcess py = ServerProcess.python(options.python, pythonServerSource());
        servers.add(py);
        log.println("started " + py);
        int port = Integer.parseInt(py.address());
        if (options.wants(PYTHON)) {
          targets.add(new RpycTarget(PYTHON, "Python RPyC 5.3 server", port, true));
        }
        if (options.wants(PYTHON_BOTH)) {
          targets.add(new PythonClientTarget(PYTHON_BOTH, options.python, port));
        }
      }
    }
  }

  /** Why the Python server cannot run, or {@code null} if {@code python -c 'import rpyc'} works. */
  static String pythonMissing(String python) {
    try {
      Process p =
          new ProcessBuilder(python, "-c", "import rpyc")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return python + " -c 'import rpyc' did not finish";
      }
      return p.exitValue() == 0
          ? null
          : python + " cannot import rpyc (apt-get install python3-rpyc)";
    } catch (IOException e) {
      return python + " not found";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  static String pythonServerSource() throws IOException {
    try (InputStream in = SideBySide.class.getResourceAsStream("bench_server.py")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  // ------------------------------------------------------------------ measuring

  /**
   * Warms every target's paths up (JIT), so that C2 is not still compiling during the first rows: a
   * few hundred calls in quick mode, else 3 s of single-thread calls, 1 s with 8 threads and 1 s
   * pipelined.
   */
  private void warmUp(List<Target> targets) throws Exception {
    for (Target t : targets) {
      long start = System.nanoTime();
      if (t instanceof PythonClientTarget) {
        ((PythonClientTarget) t).latency(options.quick ? 50 : 3000);
      } else if (options.quick) {
        for (int i = 0; i < 200; i++) {
          check(t, i, t.add(i, 1));
        }
      } else {
        runThreads(t, 1, TimeUnit.SECONDS.toNanos(3), Long.MAX_VALUE);
        if (t.sharesConnection()) {
          runThreads(t, 8, TimeUnit.SECONDS.toNanos(1), Long.MAX_VALUE);
        }
        try {
          t.pipelined(options.window, TimeUnit.SECONDS.toNanos(1), Long.MAX_VALUE);
        } catch (UnsupportedOperationException e) {
          // no pipelining
        }
      }
      log.printf(
          "warmed up %s in %d ms%n",
          t.label, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
  }

  private void measureAll(List<Target> targets) throws Exception {
    int runs = options.runs;
    if (options.wantsRow("add.latency")) {
      for (Target t : targets) {
        if (!(t instanceof PythonClientTarget)) { // no JIT to warm
          warmFor(options.quick ? 0 : LATENCY_WARM_NANOS, () -> check(t, 7, t.add(7, 1)));
        }
      }
      settle();
      Results.Row median =
          results.row("add.latency.median", "add(int,int) latency, median", "µs", false);
      Results.Row p99 = results.row("add.latency.p99", "add(int,int) latency, p99", "µs", false);
      int calls = options.quick ? 300 : 20_000;
      for (int run = 0; run < runs; run++) {
        for (Target t : targets) {
          if (t instanceof PythonClientTarget) {
            double[] measured = ((PythonClientTarget) t).latency(calls);
            median.add(t.key, measured[0]);
            p99.add(t.key, measured[1]);
            continue;
          }
          long[] nanos = latencies(calls, () -> check(t, 7, t.add(7, 1)));
          median.add(t.key, Stats.percentile(nanos, 50) / 1e3);
          p99.add(t.key, Stats.percentile(nanos, 99) / 1e3);
        }
      }
      notes(targets, median, p99);
    }
    for (int threads : new int[] {1, 8, 64}) {
      String id = "add.calls." + threads + (threads == 1 ? "thread" : "threads");
      if (!options.wantsRow(id)) {
        continue;
      }
      settle();
      Results.Row row =
          results.row(
              id,
              "add calls/s, " + threads + (threads == 1 ? " thread" : " threads, 1 connection"),
              "calls/s",
              true);
      for (int run = 0; run < runs; run++) {
        for (Target t : targets) {
          if (threads > 1 && !t.sharesConnection()) {
            continue;
          }
          row.add(t.key, throughput(t, threads));
        }
      }
      notes(targets, row);
    }
    if (options.wantsRow("add.calls.async")) {
      settle();
      Results.Row row =
          results.row(
              "add.calls.async",
              "pipelined async add calls/s, 1 connection (window " + options.window + ")",
              "calls/s",
              true);
      long nanos = TimeUnit.MILLISECONDS.toNanos(options.millis);
      long max = options.quick ? 300 : Long.MAX_VALUE;
      for (int run = 0; run < runs; run++) {
        for (Target t : targets) {
          if (t instanceof PythonClientTarget) {
            PythonClientTarget py = (PythonClientTarget) t;
            py.pipelinedRate(options.window, options.millis / 4, max); // warm
            row.add(t.key, py.pipelinedRate(options.window, options.millis, max));
            continue;
          }
          try {
            t.pipelined(options.window, nanos / 4, max); // warm
            long start = System.nanoTime();
            long n = t.pipelined(options.window, nanos, max);
            row.add(t.key, n / ((System.nanoTime() - start) / 1e9));
          } catch (UnsupportedOperationException e) {
            // N/A
          }
        }
      }
      notes(targets, row);
    }
    int[] sizes = options.quick ? new int[] {16 << 10, 256 << 10} : new int[] {1 << 20, 64 << 20};
    for (int size : sizes) {
      String id = "echo." + sizeName(size);
      if (!options.wantsRow(id)) {
        continue;
      }
      settle();
      Results.Row row = results.row(id, "byte[] echo, " + sizeName(size), "ms", false);
      byte[] data = new byte[size];
      new Random(size).nextBytes(data); // incompressible, as a JVM payload usually is
      // 1 MiB echoes vary from 2 to 15 ms on this kind of machine, RMI's as much as ours: the
      // median of 20 moved by a third from run to run
      int reps = options.quick ? 3 : size > (8 << 20) ? 3 : 100;
      // a JVM's first few dozen 1 MiB echoes run cold code (5-15 ms, then ~2 ms from about the
      // 60th on, RMI's too): warm its echo path as the add rows are warmed. Python has no JIT.
      int warm = options.quick ? 1 : size > (8 << 20) ? 1 : 100;
      for (Target t : targets) {
        boolean slow = t.slowEcho(size) || (t instanceof PythonClientTarget && size > (8 << 20));
        int tWarm = slow ? 0 : t instanceof PythonClientTarget ? Math.min(warm, 5) : warm;
        int tReps = slow ? 1 : reps;
        if (t instanceof PythonClientTarget) {
          for (double ms : ((PythonClientTarget) t).echo(size, tReps, tWarm)) {
            row.add(t.key, ms);
            log.printf("echo %s %s: %.1f ms%n", sizeName(size), t.label, ms);
          }
          continue;
        }
        try {
          List<Double> times = new ArrayList<>();
          for (int i = 0; i < tWarm + tReps; i++) {
            long start = System.nanoTime();
            int n = t.echo(data);
            long took = System.nanoTime() - start;
            if (n != size) {
              throw new IllegalStateException(t.label + " echoed " + n + " of " + size + " bytes");
            }
            if (i >= tWarm) {
              times.add(took / 1e6);
            }
            log.printf("echo %s %s: %.1f ms%n", sizeName(size), t.label, took / 1e6);
          }
          for (double ms : times) {
            row.add(t.key, ms);
          }
        } catch (UnsupportedOperationException e) {
          // N/A
        }
      }
      notes(targets, row);
    }
    if (options.wantsRow("list.size")) {
      Results.Row row =
          results.row(
              "list.size.median", "remote List size() through a typed proxy, median", "µs", false);
      int calls = options.quick ? 300 : 20_000;
      for (Target t : targets) {
        if (t instanceof PythonClientTarget) {
          for (int run = 0; run < runs; run++) {
            row.add(t.key, ((PythonClientTarget) t).listSize(calls));
          }
          continue;
        }
        Target.SizeCall size;
        try {
          size = t.remoteList(1000);
        } catch (UnsupportedOperationException e) {
          continue;
        }
        Call call =
            () -> {
              int n = size.size();
              if (n != 1000) {
                throw new IllegalStateException(t.label + ": size() = " + n);
              }
            };
        // this path is new to both JVMs, and the echoes before it deoptimized code it shares with
        // add: without a warm-up its first run measured 30-38 µs where later ones measure 16-20
        warmFor(options.quick ? 0 : TimeUnit.SECONDS.toNanos(2), call);
        settle();
        for (int run = 0; run < runs; run++) {
          long[] nanos = latencies(calls, call);
          row.add(t.key, Stats.percentile(nanos, 50) / 1e3);
        }
      }
      notes(targets, row);
    }
    if (options.wantsRow("refs")) {
      settle();
      measureRefs(targets);
    }
  }

  private void measureRefs(List<Target> targets) throws Exception {
    int n = options.refs;
    Results.Row create =
        results.row(
            "refs.create", String.format("%,d remote refs created and dropped", n), "ms", false);
    Results.Row cleanup =
        results.row(
            "refs.cleanup", "then until the export table is back to its baseline", "ms", false);
    for (Target t : targets) {
      if (t instanceof PythonClientTarget) {
        // about 10 ms per object from a Python client: 100,000 would take a quarter of an hour
        int measured = Math.min(n, PYTHON_CLIENT_REFS);
        double[] m =
            ((PythonClientTarget) t).refs(measured); // created ms, cleanup ms, before, after
        create.add(t.key, m[0] * n / measured);
        create.notes.put(
            t.key,
            String.format(
                "%,d objects measured (%.0f ms, %.2f ms each), scaled to %,d; CPython sends each"
                    + " DEL at once, inside this time",
                measured, m[0], m[0] / measured, n));
        if (m[3] <= m[2]) {
          cleanup.add(t.key, m[1]);
        } else {
          cleanup.problems.put(
              t.key, "not back to baseline: " + (int) m[3] + " exported (baseline " + (int) m[2]);
        }
        log.printf("%s: %d refs in %.0f ms; table back in %.0f ms%n", t.label, n, m[0], m[1]);
        continue;
      }
      int baseline;
      try {
        baseline = settledExports(t);
      } catch (UnsupportedOperationException e) {
        continue;
      }
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        t.newObject();
      }
      long created = System.nanoTime() - start;
      create.add(t.key, created / 1e6);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.quick ? 30 : 120);
      start = System.nanoTime();
      int now;
      while (true) {
        System.gc();
        now = t.exportedObjects();
        if (now <= baseline || System.nanoTime() > deadline) {
          break;
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
      long settled = System.nanoTime() - start;
      if (now <= baseline) {
        cleanup.add(t.key, settled / 1e6);
      } else {
        cleanup.problems.put(
            t.key,
            "not back to baseline: "
                + now
                + " exported (baseline "
                + baseline
                + ") after "
                + TimeUnit.NANOSECONDS.toSeconds(settled)
                + " s");
      }
      log.printf(
          "%s: %d refs in %.0f ms; table %d -> %d in %.0f ms%n",
          t.label, n, created / 1e6, baseline, now, settled / 1e6);
    }
    notes(targets, create, cleanup);
  }

  /**
   * The export table once handles from earlier rows (the remote list) are collected and released:
   * the same figure twice in a row after a GC.
   */
  private static int settledExports(Target t) throws Exception {
    int previous = -1;
    for (int i = 0; i < 50; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(20);
      int now = t.exportedObjects();
      if (now == previous) {
        return now;
      }
      previous = now;
    }
    return previous;
  }

  private static void notes(List<Target> targets, Results.Row... rows) {
    for (Results.Row row : rows) {
      for (Target t : targets) {
        String note = t.note(row.id);
        if (note != null && row.values.containsKey(t.key)) {
          row.notes.put(t.key, note);
        }
      }
    }
  }

  private double throughput(Target t, int threads) throws Exception {
    long nanos = TimeUnit.MILLISECONDS.toNanos(options.millis);
    long perThread = options.quick ? Math.max(5, 300 / threads) : Long.MAX_VALUE;
    if (t instanceof PythonClientTarget) {
      PythonClientTarget py = (PythonClientTarget) t;
      if (!options.quick) {
        py.threads(threads, options.millis / 4, perThread); // warm
      }
      return py.threads(threads, options.millis, perThread);
    }
    if (!options.quick) {
      runThreads(t, threads, nanos / 4, perThread); // warm
    }
    long start = System.nanoTime();
    long calls = runThreads(t, threads, nanos, perThread);
    return calls / ((System.nanoTime() - start) / 1e9);
  }

  private long runThreads(Target t, int threads, long nanos, long perThread) throws Exception {
    LongAdder calls = new LongAdder();
    AtomicReference<Exception> failure = new AtomicReference<>();
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(threads);
    long[] deadline = new long[1];
    for (int i = 0; i < threads; i++) {
      int base = i * 1_000_000;
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                  long n = 0;
                  while (n < perThread && System.nanoTime() < deadline[0]) {
                    int a = base + (int) (n & 0xffff);
                    check(t, a, t.add(a, 1, threads));
                    n++;
                  }
                  calls.add(n);
                } catch (Exception e) {
                  failure.compareAndSet(null, e);
                } finally {
                  done.countDown();
                }
              },
              "bench-caller-" + i);
      thread.setDaemon(true);
      thread.start();
    }
    deadline[0] = System.nanoTime() + nanos;
    go.countDown();
    if (!done.await(nanos / 1_000_000 + 120_000, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(t.label + ": calling threads did not finish");
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return calls.sum();
  }

  /**
   * Waits until this JVM's JIT has been idle for {@link #SETTLE_QUIET_MILLIS} (at most {@link
   * #SETTLE_MAX_MILLIS}); not in quick mode. A row that follows another runs code the other
   * deoptimized or never ran, and the compiles that follow kept a CPU busy for up to a second after
   * the pipelined warm-up: with two CPUs, the compiler, a polling caller and the server's polling
   * loop took turns in time slices, and one call in 50 took 1.1 ms more for 20,000 calls (the first
   * run of {@code add.latency.p99}: 1,160 µs where the others measured 45-75). The server processes
   * were just as busy meanwhile and settle in the same pause.
   */
  private void settle() throws InterruptedException {
    if (options.quick) {
      return;
    }
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      Thread.sleep(SETTLE_QUIET_MILLIS);
      return;
    }
    long start = System.nanoTime();
    long compiled = jit.getTotalCompilationTime();
    boolean idle = false;
    while (!idle && TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < SETTLE_MAX_MILLIS) {
      Thread.sleep(SETTLE_QUIET_MILLIS);
      long now = jit.getTotalCompilationTime();
      idle = now == compiled;
      compiled = now;
    }
    log.printf(
        idle
            ? "settled in %d ms (JIT idle)%n"
            : "JIT still compiling after %d ms: measuring anyway%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** Calls {@code call} for {@code nanos}, unmeasured (JIT warm-up). */
  private static void warmFor(long nanos, Call call) throws Exception {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      call.run();
    }
  }

  private static long[] latencies(int calls, Call call) throws Exception {
    for (int i = 0; i < calls / 10; i++) {
      call.run();
    }
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      call.run();
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static void check(Target t, int a, int sum) {
    if (sum != a + 1) {
      throw new IllegalStateException(t.label + ": add(" + a + ", 1) returned " + sum);
    }
  }

  static String sizeName(int bytes) {
    return bytes >= 1 << 20 ? (bytes >> 20) + "MiB" : (bytes >> 10) + "KiB";
  }

  private interface Call {
    void run() throws Exception;
  }
}
