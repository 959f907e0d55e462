package io.rpyc.shell;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A latch snippets reach from the server's jshell (the test classes are on its class path in the
 * in-process server), so a test decides when a running snippet may go on.
 */
public final class Gate {
  private static volatile CountDownLatch latch = new CountDownLatch(1);

  private Gate() {}

  /**
   * Called by a snippet: waits until the test {@linkplain #open() opens} the gate (at most 30 s).
   */
  public static void pass() throws InterruptedException {
    if (!latch.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the test never opened the gate");
    }
  }

  static void open() {
    latch.countDown();
  }

  static void close() {
    latch = new CountDownLatch(1);
  }
}
