package io.rpyc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Tuple;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Tuple} and {@link Tuples} initialized at the same moment by two threads, in fresh JVMs:
 * when each class's initializer needed the other, this deadlocked in about one JVM in four.
 */
class TuplesInitializationTest {

  /** Run in a fresh JVM: one thread starts with Tuple, the other with Tuples. */
  public static final class Race {
    public static void main(String[] args) throws Exception {
      CyclicBarrier start = new CyclicBarrier(2);
      Thread a = new Thread(() -> after(start, () -> Tuple.of(1, 2)));
      Thread b = new Thread(() -> after(start, () -> Tuples.wrap(new Object[] {1})));
      a.setDaemon(true);
      b.setDaemon(true);
      a.start();
      b.start();
      a.join(5000);
      b.join(5000);
      System.out.print(a.isAlive() || b.isAlive() ? "deadlock" : "ok");
    }

    private static void after(CyclicBarrier start, Runnable r) {
      try {
        start.await();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      r.run();
    }
  }

  @Test
  void initializingTupleAndTuplesTogether_neverDeadlocks() throws Exception {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    for (int i = 0; i < 8; i++) {
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xshare:auto",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Race.class.getName())
              .redirectErrorStream(true)
              .start();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the JVM did not exit");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertEquals("ok", out, "run " + i);
    }
  }
}
