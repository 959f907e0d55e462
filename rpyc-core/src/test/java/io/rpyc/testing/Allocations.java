package io.rpyc.testing;

import io.netty.util.ResourceLeakDetector;
import java.lang.management.ManagementFactory;

/** Heap bytes allocated by the current thread, for tests that bound what an input may cost. */
public final class Allocations {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  /** A running total for the current thread: subtract two readings to get what lay between. */
  public static long currentThread() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /**
   * The bytes {@code work} allocates on the current thread, measured with Netty's leak detection
   * off: at the paranoid level the tests run with, every buffer access records a stack trace, which
   * would dwarf what the code under test allocates. Run {@code work} once before (with leak
   * detection on) so that class loading is not counted either.
   */
  public static long of(Runnable work) {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    try {
      long before = currentThread();
      work.run();
      return currentThread() - before;
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }
}
