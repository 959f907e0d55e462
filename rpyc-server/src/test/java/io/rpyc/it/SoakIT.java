package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.rpyc.Connection;
import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.Service;
import io.rpyc.internal.transport.Transport;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent connections making many calls against one server, under Netty's paranoid leak
 * detection: no call fails, no buffer leaks, every export table returns to its root, and
 * rpyc-java's threads and the heap return to where they were.
 *
 * <p>The suite runs a quick version ({@value #QUICK_CONNECTIONS} connections × {@value
 * #QUICK_CALLS} calls). The full soak of docs/security.md:
 *
 * <pre>
 * mvn -B -pl rpyc-server -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=SoakIT -Dsoak.connections=1000 -Dsoak.calls=1000
 * </pre>
 */
class SoakIT {
  static final int QUICK_CONNECTIONS = 100;
  static final int QUICK_CALLS = 200;

  /** Threads making calls at once; every connection stays open and in use throughout. */
  static final int CALLERS = 32;

  /** A service with a by-value call, a by-reference result and a payload that needs buffers. */
  public static class SoakService extends Service {
    @Exposed
    public int add(int a, int b) {
      return a + b;
    }

    @Exposed
    public byte[] echo(byte[] data) {
      return data;
    }

    @Exposed
    public List<Integer> list(int n) {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(i);
      }
      return out;
    }
  }

  @Test
  void manyConnectionsAndCalls_leaveNothingBehind() throws Exception {
    int connections = Integer.getInteger("soak.connections", QUICK_CONNECTIONS);
    int calls = Integer.getInteger("soak.calls", QUICK_CALLS);
    assertEquals(
        ResourceLeakDetector.Level.PARANOID,
        ResourceLeakDetector.getLevel(),
        "the soak runs under paranoid leak detection (set for test JVMs in the root pom)");
    Queue<String> leaks = new ConcurrentLinkedQueue<>();
    byteBufLeakDetector().setLeakListener((type, records) -> leaks.add(type + ": " + records));

    // the default cached pool, but idle workers retire after 1 s instead of 60: then "back to
    // baseline" can be awaited instead of guessed
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            1,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            Transport.daemonThreads("rpyc-worker"));
    try (RpycServer server =
        RpycServer.builder()
            .service(SoakService::new)
            .executor(workers)
            .shutdownGrace(Duration.ofSeconds(2))
            .build()
            .start()) {
      // warm up, so that the event loops exist; then let the workers retire
      round(server, CALLERS, 20);
      settle(server, workers);
      int threadsBefore = serverThreads();
      long heapBefore = usedHeapAfterGc();

      long start = System.nanoTime();
      long[] result = round(server, connections, calls);
      long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
      int threadsAtPeak = serverThreads();
      settle(server, workers);

      int threadsAfter = serverThreads();
      long heapAfter = usedHeapAfterGc();
      triggerLeakReports();
      System.out.printf(
          "soak: %d connections x %d calls: %d calls in %d s (%d/s), %d errors, %d leaks;"
              + " server threads %d -> %d (%d while closing); heap used after GC %d MiB -> %d MiB%n",
          connections,
          calls,
          result[0],
          seconds,
          result[0] / seconds,
          result[1],
          leaks.size(),
          threadsBefore,
          threadsAfter,
          threadsAtPeak,
          heapBefore >> 20,
          heapAfter >> 20);
      assertEquals(0, result[1], "calls that failed");
      assertEquals((long) connections * calls, result[0]);
      assertTrue(leaks.isEmpty(), () -> "leaked buffers: " + leaks);
      assertTrue(
          threadsAfter <= threadsBefore,
          () ->
              "threads back to baseline: "
                  + threadsBefore
                  + " -> "
                  + threadsAfter
                  + " "
                  + serverThreadNames());
      assertTrue(
          heapAfter <= heapBefore + (32L << 20),
          "heap flat: " + (heapBefore >> 20) + " MiB -> " + (heapAfter >> 20) + " MiB");
    } finally {
      byteBufLeakDetector().setLeakListener(null);
      workers.shutdownNow();
    }
  }

  @Test
  void theLeakListener_catchesALeakedBuffer() {
    // proves that the soak's "0 leaks" means something (Netty also logs this leak as an ERROR)
    Queue<String> leaks = new ConcurrentLinkedQueue<>();
    byteBufLeakDetector().setLeakListener((type, records) -> leaks.add(type));
    try {
      leakOneBuffer();
      Await.until(
          Duration.ofSeconds(20), () -> !leaks.isEmpty(), SoakIT::triggerLeakReports, "a report");
      assertEquals("ByteBuf", leaks.peek());
    } finally {
      byteBufLeakDetector().setLeakListener(null);
    }
  }

  private static void leakOneBuffer() {
    ByteBuf leaked = Unpooled.directBuffer(8);
    leaked.writeLong(42); // never released; unreachable once this returns
  }

  /**
   * Opens {@code connections} connections, makes {@code calls} calls on each from {@link #CALLERS}
   * threads, checks that every export table is back to the root, and closes them. Returns {calls
   * made, errors}.
   */
  private static long[] round(RpycServer server, int connections, int calls) throws Exception {
    List<Connection> open = new ArrayList<>();
    ExecutorService callers = Executors.newFixedThreadPool(Math.min(CALLERS, connections));
    AtomicLong made = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    try {
      List<Future<?>> opening = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        opening.add(callers.submit(() -> Rpyc.connect("127.0.0.1", server.port())));
      }
      for (Future<?> f : opening) {
        open.add((Connection) f.get(60, TimeUnit.SECONDS));
      }
      int threads = Math.min(CALLERS, connections);
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        work.add(
            callers.submit(
                () -> {
                  List<RemoteRef> roots = new ArrayList<>();
                  for (int c = first; c < open.size(); c += threads) {
                    roots.add(open.get(c).root());
                  }
                  byte[] payload = new byte[2048];
                  for (int i = 0; i < calls; i++) {
                    for (RemoteRef root : roots) {
                      try {
                        call(root, i, payload);
                        made.incrementAndGet();
                      } catch (RuntimeException | AssertionError e) {
                        if (errors.incrementAndGet() < 5) {
                          e.printStackTrace();
                        }
                      }
                    }
                  }
                }));
      }
      for (Future<?> f : work) {
        f.get(30, TimeUnit.MINUTES);
      }
      // every handle the clients held is garbage now: their DELs empty the tables to the root
      Await.until(
          Duration.ofSeconds(60),
          () -> server.connections().stream().allMatch(c -> c.stats().exportedObjects() == 1),
          System::gc,
          "every export table back to the root alone");
    } finally {
      for (Connection c : open) {
        c.close();
      }
      callers.shutdownNow();
      assertTrue(callers.awaitTermination(10, TimeUnit.SECONDS));
    }
    return new long[] {made.get(), errors.get()};
  }

  /**
   * One call of four kinds: by value, with a 2 KiB payload, with a 300 KiB one (a chunked large
   * frame each way), with a by-reference result.
   */
  private static void call(RemoteRef root, int i, byte[] payload) {
    if (i % 50 == 2) {
      byte[] large = new byte[300 << 10];
      large[large.length - 1] = (byte) i;
      if (!Arrays.equals(large, (byte[]) root.call("echo", (Object) large))) {
        throw new AssertionError("large echo differs");
      }
      return;
    }
    switch (i % 10) {
      case 0:
        RemoteRef list = Rpyc.ref(root.call("list", 3));
        if (list.length() != 3) {
          throw new AssertionError("length " + list.length());
        }
        break;
      case 1:
        payload[0] = (byte) i;
        byte[] back = (byte[]) root.call("echo", (Object) payload);
        if (!Arrays.equals(payload, back)) {
          throw new AssertionError("echo differs");
        }
        break;
      default:
        Object sum = root.call("add", i, 1);
        if (!Integer.valueOf(i + 1).equals(sum)) {
          throw new AssertionError("add(" + i + ", 1) = " + sum);
        }
    }
  }

  /** Waits until the server has dropped every closed connection and its workers retired. */
  private static void settle(RpycServer server, ThreadPoolExecutor workers) {
    Await.until(
        Duration.ofSeconds(30),
        () -> server.connections().isEmpty() && workers.getPoolSize() == 0,
        "every connection closed and every worker retired");
  }

  /**
   * Live threads of the server: its event loops and workers. (The clients' shared worker pool is a
   * cached pool of this JVM whose idle threads live 60 s; it is the clients', not the server's.)
   */
  private static java.util.SortedSet<String> serverThreadNames() {
    java.util.SortedSet<String> names = new java.util.TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (name.startsWith("rpyc-worker-")
          || name.startsWith("rpyc-server-io-")
          || name.startsWith("rpyc-accept-")) {
        names.add(name);
      }
    }
    return names;
  }

  private static int serverThreads() {
    return serverThreadNames().size();
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /**
   * Netty reports a leak when a later allocation polls the queue of collected, unreleased buffers:
   * collect garbage, then allocate tracked buffers until the queue has been looked at.
   */
  private static void triggerLeakReports() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      for (int j = 0; j < 256; j++) {
        ByteBuf probe = Unpooled.directBuffer(16);
        probe.release();
      }
    }
  }

  /** The detector every ByteBuf is tracked by (package-private in Netty; tests may reach it). */
  private static ResourceLeakDetector<?> byteBufLeakDetector() {
    try {
      Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
      f.setAccessible(true);
      return (ResourceLeakDetector<?>) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
