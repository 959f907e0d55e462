package io.rpyc.internal.transport;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Adaptive spin-then-block for a thread that waits on the network: spin for up to {@code max}
 * before blocking, but only while spinning measurably shortens this thread's waits.
 *
 * <p>A thread that blocks in the kernel (a read, {@code epoll_wait}) and is woken by the next
 * packet pays a wake-up: on a virtual machine whose CPU went idle, several microseconds, often more
 * than the rest of a small call. Spinning keeps the CPU awake and sees the packet at once. But a
 * spinner also holds a CPU that the thread it waits for may need (the peer, a worker): then its
 * waits get longer, not shorter. So this keeps the average wait in each mode and spins only while
 * the spinning average is clearly the lower one, trying the other mode every {@link
 * #EXPLORE_EVERY}th wait to keep both up to date ({@link #EXPLORE_EVERY_WHEN_CLEAR}th once one
 * average is under half the other). Waits are counted up to {@code 4 × max}: when waits are long
 * (slow methods, idle connections) neither mode is ahead and the thread blocks. A single stall
 * counts as no more than twice the average it falls into.
 *
 * <p>Not thread-safe: one waiting thread at a time (a connection's reading caller, an event loop).
 */
class SpinWait {
  /** On one CPU a spinning thread only delays the one it waits for. */
  private static final int CPUS = Runtime.getRuntime().availableProcessors();

  /**
   * Event loops of this JVM polling at once, at most: pollers beyond the CPUs (with the threads
   * they wait for) take turns in time slices of milliseconds. (Callers need no place: only the
   * JVM's one waiting caller spins, see {@code ProtocolConnection.callersAwaitingReplies}.)
   */
  private static final int MAX_SPINNERS = Math.max(1, CPUS / 2);

  private static final AtomicInteger SPINNERS = new AtomicInteger();

  /** Every this many waits, the mode not preferred is tried. */
  static final int EXPLORE_EVERY = 16;

  /**
   * The same once one mode's average is under half the other's. A wait in the other mode is a slow
   * one (trying to block costs the wake-up spinning saves), so trying it every 16th wait put 6 % of
   * the calls in the latency's tail: 77 µs at the 95th percentile, against 34 µs without trying.
   */
  static final int EXPLORE_EVERY_WHEN_CLEAR = 256;

  private final long maxNanos;
  private long spinAverage = -1; // of waits that spun, in nanos (-1: none yet)
  private long blockAverage = -1; // of waits that blocked at once
  private int waits;

  /** {@code maxNanos} 0: never spin. */
  SpinWait(long maxNanos) {
    this.maxNanos = CPUS > 1 ? Math.max(0, maxNanos) : 0;
  }

  /** How long the next wait should spin before it blocks: 0 (block at once) or the maximum. */
  long budget() { // overridden in tests
    if (maxNanos == 0) {
      return 0;
    }
    boolean spin = prefersSpinning();
    if (++waits >= (isClear() ? EXPLORE_EVERY_WHEN_CLEAR : EXPLORE_EVERY)) {
      waits = 0;
      spin = !spin;
    }
    return spin ? maxNanos : 0;
  }

  /** Whether one mode's average is under half the other's. */
  private boolean isClear() {
    return spinAverage >= 0
        && blockAverage >= 0
        && 2 * Math.min(spinAverage, blockAverage) < Math.max(spinAverage, blockAverage);
  }

  private boolean prefersSpinning() {
    if (blockAverage < 0) {
      return false; // learn blocking first
    }
    if (spinAverage < 0) {
      return true; // then spinning
    }
    return spinAverage < blockAverage - blockAverage / 8;
  }

  /** Records a wait that ended after {@code nanos}; {@code spun}: whether it spun first. */
  void waited(long nanos, boolean spun) { // overridden in tests
    if (maxNanos == 0) {
      return;
    }
    long sample = Math.min(nanos, 4 * maxNanos);
    if (spun) {
      spinAverage = average(spinAverage, sample);
    } else {
      blockAverage = average(blockAverage, sample);
    }
  }

  /**
   * The moving average after {@code sample}. A sample above twice the average counts as twice the
   * average (plus a microsecond, to let small averages grow): a single stall (a GC pause, the
   * thread preempted) would otherwise lift the average of the mode it fell in for many waits, and
   * the mode not preferred is only sampled every {@link #EXPLORE_EVERY}th wait. A lasting change
   * still lifts it by an eighth per wait.
   */
  private static long average(long average, long sample) {
    if (average < 0) {
      return sample;
    }
    long damped = Math.min(sample, 2 * average + 1_000);
    return average + (damped - average) / 8;
  }

  /**
   * Whether an event loop may poll now: at most {@link #MAX_SPINNERS} do; one that may must call
   * {@link #endSpin} when it stops.
   */
  static boolean startSpin() {
    int n;
    do {
      n = SPINNERS.get();
      if (n >= MAX_SPINNERS) {
        return false;
      }
    } while (!SPINNERS.compareAndSet(n, n + 1));
    return true;
  }

  static void endSpin() {
    SPINNERS.decrementAndGet();
  }

  /** Threads spinning now (tests). */
  static int spinners() {
    return SPINNERS.get();
  }

  /** Whether spinning is possible here at all: more than one CPU. */
  static boolean possible() {
    return CPUS > 1;
  }
}
