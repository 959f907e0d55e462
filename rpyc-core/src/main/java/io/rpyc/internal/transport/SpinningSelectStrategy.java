package io.rpyc.internal.transport;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * An event loop's {@link SelectStrategy} that, when it runs out of work, polls ({@code epoll_wait}
 * without a timeout) for up to its {@link SpinWait} budget before it blocks as Netty's default
 * does. While it polls, the tasks other threads submit are seen without a wake-up through Netty's
 * eventfd. For epoll loops only: Netty's NIO loop rebuilds its selector after 512 empty polls in a
 * row.
 *
 * <p>An idle spell is measured from the moment the loop ran out of work to the start of the
 * iteration after the one that handled what ended it, whichever way it ended (an event seen while
 * polling, a wake-up from {@code epoll_wait}, a task): both ways then include the handling, and
 * neither looks shorter for being measured earlier. The loop holds one of {@link SpinWait}'s
 * spinner places only during a poll, never across iterations, so that no way out of the loop
 * (shutdown, an exception) can keep one.
 */
final class SpinningSelectStrategy implements SelectStrategy {
  private final SpinWait spin;
  private final LongSupplier clock;
  private long idleSince; // nanoTime the loop ran out of work, 0 while it has some
  private long budget; // of the current idle spell
  private boolean spun; // the current idle spell polled
  private boolean ended; // the last iteration handled what ended the idle spell

  SpinningSelectStrategy(long maxSpinNanos, LongSupplier clock) {
    this(new SpinWait(maxSpinNanos), clock);
  }

  SpinningSelectStrategy(SpinWait spin, LongSupplier clock) {
    this.spin = spin;
    this.clock = clock;
  }

  /** One strategy per event loop: each learns from its own waits. */
  static SelectStrategyFactory factory(long maxSpinNanos) {
    return () -> new SpinningSelectStrategy(maxSpinNanos, System::nanoTime);
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    long now = clock.getAsLong();
    if (ended) {
      spin.waited(now - idleSince, spun);
      idleSince = 0;
      ended = false;
    }
    if (hasTasks) {
      ended = idleSince != 0; // this iteration runs them
      return selectNow.get();
    }
    if (idleSince == 0) {
      idleSince = now;
      budget = spin.budget();
      spun = false;
    }
    if (now - idleSince < budget && SpinWait.startSpin()) {
      int ready;
      try {
        ready = selectNow.get();
      } finally {
        SpinWait.endSpin();
      }
      spun = true;
      if (ready > 0) {
        ended = true;
        return ready;
      }
      // not 0: Netty would then run the tasks queued meanwhile, unseen here, and the spell would
      // go on being polled (and counted) after its work was done; CONTINUE asks again at once,
      // and a task shows in hasTasks. (Timers that fall due wait for the end of the spin.)
      return SelectStrategy.CONTINUE;
    }
    ended = true; // whatever wakes epoll_wait is handled in this iteration
    return SelectStrategy.SELECT;
  }
}
