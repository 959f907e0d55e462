package io.rpyc.internal.transport;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * An event loop's {@link SelectStrategy} that, when it runs out of work, polls ({@code epoll_wait}
 * without a timeout) for up to its {@link SpinWait} budget before it blocks as Netty's default
 * does. While it polls, Netty also runs the tasks other threads submit without being woken through
 * its eventfd. For epoll loops only: Netty's NIO loop rebuilds its selector after 512 empty polls
 * in a row.
 */
final class SpinningSelectStrategy implements SelectStrategy {
  private final SpinWait spin;
  private final LongSupplier clock;
  private long idleSince; // nanoTime the loop ran out of work, 0 while it has some
  private long budget; // of the current idle spell
  private boolean spinning; // holds one of SpinWait's spinner places
  private boolean spun; // the current idle spell spun
  private boolean blocked; // the last iteration blocked in epoll_wait

  SpinningSelectStrategy(long maxSpinNanos, LongSupplier clock) {
    this.spin = new SpinWait(maxSpinNanos);
    this.clock = clock;
  }

  /** One strategy per event loop: each learns from its own waits. */
  static SelectStrategyFactory factory(long maxSpinNanos) {
    return () -> new SpinningSelectStrategy(maxSpinNanos, System::nanoTime);
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    if (hasTasks) {
      busy();
      return selectNow.get();
    }
    if (blocked) {
      busy(); // woken: what woke it was handled in the last iteration
    }
    long now = clock.getAsLong();
    if (idleSince == 0) {
      idleSince = now;
      budget = spin.budget();
      spun = false;
    }
    if (now - idleSince < budget && (spinning || SpinWait.startSpin())) {
      spinning = spun = true;
      int ready = selectNow.get();
      if (ready > 0) {
        busy();
      }
      return ready; // 0: Netty runs due tasks and asks again
    }
    stopSpinning();
    blocked = true;
    return SelectStrategy.SELECT;
  }

  /** Work came: the idle spell, if any, ends. */
  private void busy() {
    if (idleSince != 0) {
      spin.waited(clock.getAsLong() - idleSince, spun);
      idleSince = 0;
    }
    blocked = false;
    stopSpinning();
  }

  private void stopSpinning() {
    if (spinning) {
      spinning = false;
      SpinWait.endSpin();
    }
  }
}
