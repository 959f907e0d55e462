package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AsyncResult;
import io.rpyc.Connection;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.RpycConfig;
import io.rpyc.RpycConfig.ClientTransport;
import io.rpyc.RpycException;
import io.rpyc.VoidService;
import io.rpyc.server.RpycServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client calls from virtual threads (Java 21+). The build targets Java 17, so the calls run in a
 * child JVM of the newest JDK found (the {@code RPYC_TEST_JAVA21} environment variable, else the
 * newest one under {@code /usr/lib/jvm}). On the default transport a virtual thread never reads or
 * writes the socket itself, because interrupting one that is blocked in socket I/O closes the
 * socket: the reader thread and a worker do it for it. Without a JDK 21+ the test is skipped (and
 * {@code .ci/run} says so loudly).
 */
@Timeout(180)
class VirtualThreadsIT {
  private final ServerFixture fixture = new ServerFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void callsFromVirtualThreads_onBothTransports_allArrive_andAnInterruptLeavesTheSocketOpen()
      throws Exception {
    Optional<Path> java = modernJava();
    Assumptions.assumeTrue(
        java.isPresent(), "no JDK 21+ (set RPYC_TEST_JAVA21 or install one under /usr/lib/jvm)");
    RpycServer server = fixture.start(TestService::new);
    Process child =
        new ProcessBuilder(
                java.get().toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Child.class.getName(),
                String.valueOf(server.port()))
            .redirectErrorStream(true)
            .start();
    OutputCollector output = new OutputCollector(child);
    boolean exited = child.waitFor(150, TimeUnit.SECONDS);
    if (!exited) {
      child.destroyForcibly();
    }
    String out = output.text();
    System.out.println("the " + java.get() + " child:\n" + out);
    assertTrue(exited, "the child did not finish:\n" + out);
    assertEquals(0, child.exitValue(), out);
    for (ClientTransport transport : ClientTransport.values()) {
      assertTrue(out.contains("OK " + transport), out);
    }
  }

  /** The newest JDK of at least version 21, if there is one. */
  static Optional<Path> modernJava() throws IOException {
    String configured = System.getenv("RPYC_TEST_JAVA21");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured, "bin", "java"));
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    Path best = null;
    int bestVersion = 20;
    try (Stream<Path> homes = Files.list(jvms)) {
      for (Path home : (Iterable<Path>) homes::iterator) {
        int version = featureVersion(home.resolve("release"));
        if (version > bestVersion && Files.isExecutable(home.resolve("bin/java"))) {
          best = home.resolve("bin/java");
          bestVersion = version;
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** The feature version in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.3"}), or 0. */
  private static int featureVersion(Path release) {
    try {
      for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(v.split("[.+-]")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not a JDK
    }
    return 0;
  }

  /** Collects a process's output on a thread of its own, so that a full pipe cannot stall it. */
  private static final class OutputCollector {
    private final Thread thread;
    private final AtomicReference<String> text = new AtomicReference<>("");

    OutputCollector(Process process) {
      thread =
          new Thread(
              () -> {
                try {
                  text.set(
                      new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                  text.set("(output unreadable: " + e + ")");
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    String text() throws InterruptedException {
      thread.join(10_000);
      return text.get();
    }
  }

  /**
   * Runs in the child JVM (Java 21+): calls on both transports from virtual threads. Prints {@code
   * OK <transport>} for each; any failure ends the JVM with status 1. Uses only Java 17 API
   * (virtual threads through reflection), since it is compiled for Java 17.
   */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) {
      try {
        int port = Integer.parseInt(args[0]);
        for (ClientTransport transport : ClientTransport.values()) {
          RpycConfig config = RpycConfig.builder().clientTransport(transport).build();
          try (Connection conn = Rpyc.connect("127.0.0.1", port, new VoidService(), config)) {
            manyVirtualThreads(conn.root());
            interruptedVirtualThreads(conn);
          }
          System.out.println("OK " + transport);
        }
        System.exit(0);
      } catch (Throwable t) {
        t.printStackTrace(System.out);
        System.exit(1);
      }
    }

    private static ExecutorService virtualThreads() throws ReflectiveOperationException {
      return (ExecutorService)
          Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }

    private static boolean isVirtual(Thread t) throws ReflectiveOperationException {
      return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
    }

    /** 200 virtual threads share the connection: small and large calls, sync and async. */
    private static void manyVirtualThreads(RemoteRef root) throws Exception {
      ExecutorService pool = virtualThreads();
      try {
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < 200; t++) {
          int thread = t;
          done.add(
              pool.submit(
                  () -> {
                    check(isVirtual(Thread.currentThread()), "runs on a virtual thread");
                    Random random = new Random(thread);
                    int calls = 0;
                    for (int i = 0; i < 25; i++) {
                      if (i == thread % 25 && thread % 4 == 0) {
                        byte[] data = new byte[(300 << 10) + random.nextInt(1000)];
                        random.nextBytes(data);
                        byte[] back = (byte[]) root.call("reversed", (Object) data);
                        check(
                            back.length == data.length && back[0] == data[data.length - 1],
                            "a large echo");
                      } else if (i % 5 == 4) {
                        AsyncResult<Object> sum = root.callAsync("add", thread, i);
                        check(Integer.valueOf(thread + i).equals(sum.value()), "an async add");
                      } else {
                        check(
                            Integer.valueOf(thread + i).equals(root.call("add", thread, i)),
                            "an add");
                      }
                      calls++;
                    }
                    return calls;
                  }));
        }
        for (Future<Integer> d : done) {
          check(d.get(60, TimeUnit.SECONDS) == 25, "every call made");
        }
      } finally {
        pool.shutdownNow();
      }
    }

    /**
     * Virtual threads calling all the time, interrupted again and again: each interrupted call
     * fails with an exception saying so, every other call succeeds, and the connection stays open
     * (had a virtual thread been reading or writing the socket, its interrupt would have closed
     * it).
     */
    private static void interruptedVirtualThreads(Connection conn) throws Exception {
      RemoteRef root = conn.root();
      AtomicInteger interrupted = new AtomicInteger();
      AtomicInteger succeeded = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = virtualThreads();
      List<Thread> threads = new CopyOnWriteArrayList<>();
      try {
        for (int t = 0; t < 16; t++) {
          int thread = t;
          pool.execute(
              () -> {
                threads.add(Thread.currentThread());
                for (int i = 0; !stop.get(); i++) {
                  try {
                    if (Integer.valueOf(thread + i).equals(root.call("add", thread, i))) {
                      succeeded.incrementAndGet();
                    } else {
                      failure.compareAndSet(null, new AssertionError("a wrong sum"));
                    }
                  } catch (RpycException e) {
                    if (String.valueOf(e.getMessage()).contains("interrupted")) {
                      interrupted.incrementAndGet();
                      Thread.interrupted(); // and go on calling
                    } else {
                      failure.compareAndSet(null, e);
                    }
                  } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                  }
                }
              });
        }
        Random random = new Random(5);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end && failure.get() == null) {
          if (!threads.isEmpty()) {
            threads.get(random.nextInt(threads.size())).interrupt();
          }
          Thread.sleep(1);
        }
      } finally {
        stop.set(true);
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
      }
      if (failure.get() != null) {
        throw new AssertionError(
            "a call failed for another reason than its interrupt", failure.get());
      }
      check(interrupted.get() > 0, "some calls were interrupted");
      check(succeeded.get() > 0, "the others succeeded");
      for (int i = 0; i < 50; i++) {
        check(Integer.valueOf(i + 1).equals(root.call("add", i, 1)), "an add after them");
      }
      check(!conn.isClosed(), "the connection is still open");
      System.out.println(
          "interrupted " + interrupted.get() + " calls, " + succeeded.get() + " succeeded");
    }

    private static void check(boolean condition, String what) {
      if (!condition) {
        throw new AssertionError("failed: " + what);
      }
    }
  }
}
