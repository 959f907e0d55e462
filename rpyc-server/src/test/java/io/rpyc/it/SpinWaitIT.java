package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ResourceLeakDetector;
import io.rpyc.Connection;
import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.RpycConfig;
import io.rpyc.Service;
import io.rpyc.server.RpycServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Spin-waiting ({@link RpycConfig#spinWait()}): a server I/O thread and a calling thread may poll
 * for a while before they block, for no longer than the configured spin. A quick caller then rarely
 * blocks; whatever they learned during quick calls, they must stop burning CPU once the connection
 * goes idle or the calls get slow. Which way pays is decided by {@code SpinWait}, tested on its own
 * with waits of known lengths.
 */
@Timeout(120)
class SpinWaitIT {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final ServerFixture fixture = new ServerFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  /** Quick and slow calls. */
  public static final class PaceService extends Service {
    @Exposed
    public int add(int a, int b) {
      return a + b;
    }

    @Exposed
    public int pause(int millis) throws InterruptedException {
      Thread.sleep(millis);
      return millis;
    }
  }

  /** CPU nanoseconds the threads whose names start with {@code prefix} have used so far. */
  private static long cpuOf(String prefix) {
    long total = 0;
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(prefix)) {
        total += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  /**
   * {@code n} quick calls. The test JVM tracks every buffer for leaks (paranoid), which makes a
   * call take hundreds of microseconds, where spinning rightly does not pay: quick calls are made
   * with the tracking off.
   */
  private static void quickCalls(RemoteRef root, int n) {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    try {
      for (int i = 0; i < n; i++) {
        assertEquals(i + 1, root.call("add", i, 1));
      }
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }

  @Test
  void anIdleServerStopsSpinning() throws Exception {
    RpycServer server = fixture.start(PaceService::new);
    try (Connection c = fixture.connect(server)) {
      quickCalls(c.root(), 5_000); // long enough for both sides to learn that spinning pays
      Thread.sleep(100);
      long before = cpuOf("rpyc-server-io");
      long start = System.nanoTime();
      Thread.sleep(1_000);
      long used = cpuOf("rpyc-server-io") - before;
      long wall = System.nanoTime() - start;
      // a loop that kept polling would use the whole second
      assertTrue(used < wall / 10, "idle I/O threads used " + used / 1_000_000 + " ms of CPU");
      quickCalls(c.root(), 100); // and it still serves
    }
  }

  @Test
  void aCallerWaitingForSlowCallsSpinsNoMoreThanTheBound() {
    RpycServer server = fixture.start(PaceService::new);
    try (Connection c = fixture.connect(server)) {
      quickCalls(c.root(), 5_000);
      long cpuBefore = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        assertEquals(3, c.root().call("pause", 3));
      }
      long cpu = THREADS.getCurrentThreadCpuTime() - cpuBefore;
      long wall = System.nanoTime() - start;
      // spinning through every 3 ms wait would use most of the wall time
      assertTrue(
          cpu < wall / 4,
          "the caller used " + cpu / 1_000_000 + " ms of CPU in " + wall / 1_000_000 + " ms");
    }
  }

  @Test
  void callsWorkWithSpinningOff() {
    RpycConfig noSpin = RpycConfig.builder().spinWait(Duration.ZERO).build();
    RpycServer server = fixture.start(PaceService::new, noSpin);
    try (Connection c = fixture.connect(server, noSpin)) {
      quickCalls(c.root(), 2_000);
      assertEquals(5, c.root().call("pause", 5));
    }
  }
}
