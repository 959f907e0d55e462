package io.rpyc.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes (for states with no event to wait on). */
public final class Await {
  private Await() {}

  /** Waits until {@code condition} holds, running {@code between} between polls. */
  public static void until(
      Duration timeout, BooleanSupplier condition, Runnable between, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      between.run();
      LockSupport.parkNanos(20_000_000);
    }
  }

  public static void until(Duration timeout, BooleanSupplier condition, String what) {
    until(timeout, condition, () -> {}, what);
  }
}
