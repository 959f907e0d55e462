package io.rpyc.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SpinWaitTest {
  private static final long MAX = 50_000;

  @BeforeEach
  void multiCpu() {
    assumeTrue(SpinWait.possible(), "spinning is off on a single-CPU machine");
  }

  /** Runs {@code n} waits: each asks for its budget and lasts {@code spin} or {@code block} ns. */
  private static int spinningWaits(SpinWait s, int n, long spin, long block) {
    int spun = 0;
    for (int i = 0; i < n; i++) {
      boolean spins = s.budget() > 0;
      spun += spins ? 1 : 0;
      s.waited(spins ? spin : block, spins);
    }
    return spun;
  }

  @Test
  void spinsWhileSpinningShortensTheWaits() {
    SpinWait s = new SpinWait(MAX);
    int spun = spinningWaits(s, 160, 10_000, 30_000);
    // all but the first (blocking, to learn) and the one in 16 that tries blocking again
    assertTrue(spun >= 145, "spun in " + spun + " of 160 waits");
  }

  @Test
  void blocksWhenSpinningDoesNotShortenTheWaits() {
    SpinWait s = new SpinWait(MAX);
    // spinning holds a CPU the peer needs: its waits get longer
    int spun = spinningWaits(s, 160, 40_000, 30_000);
    assertTrue(spun <= 12, "spun in " + spun + " of 160 waits");
  }

  @Test
  void blocksWhenWaitsAreLongInEitherMode() {
    SpinWait s = new SpinWait(MAX);
    // a slow method: both modes wait milliseconds, counted alike once past 4 × MAX
    int spun = spinningWaits(s, 160, 2_000_000, 5_000_000);
    assertTrue(spun <= 12, "spun in " + spun + " of 160 waits");
  }

  @Test
  void stopsSpinningWhenTheWaitsChange() {
    SpinWait s = new SpinWait(MAX);
    spinningWaits(s, 160, 10_000, 30_000);
    assertTrue(s.budget() > 0);
    // then the peer gets slow: spinning no longer helps
    spinningWaits(s, 160, 3_000_000, 3_000_000);
    int spun = spinningWaits(s, 160, 3_000_000, 3_000_000);
    assertTrue(spun <= 12, "spun in " + spun + " of 160 waits");
  }

  @Test
  void zeroNeverSpins() {
    SpinWait s = new SpinWait(0);
    assertEquals(0, spinningWaits(s, 100, 1, 1_000));
  }

  @Test
  void boundsTheSpinnersOfTheJvm() {
    int max = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    int taken = 0;
    while (SpinWait.startSpin()) {
      taken++;
      assertTrue(taken <= max, "more than " + max + " spinners");
    }
    assertEquals(max, taken);
    for (int i = 0; i < taken; i++) {
      SpinWait.endSpin();
    }
    assertEquals(0, SpinWait.spinners());
  }

  /** An event loop's strategy, with a clock and an {@code epoll_wait(0)} played by the test. */
  @Test
  void eventLoopPollsWithinTheBudgetThenBlocks() throws Exception {
    long[] now = {1_000_000};
    AtomicInteger polls = new AtomicInteger();
    int[] ready = {0};
    SpinningSelectStrategy strategy = new SpinningSelectStrategy(MAX, () -> now[0]);
    io.netty.util.IntSupplier selectNow =
        () -> {
          polls.incrementAndGet();
          return ready[0];
        };
    // idle spells that end after 30 µs when blocking: the loop learns that, then tries polling
    for (int i = 0; i < 40; i++) {
      int strategyCode = strategy.calculateStrategy(selectNow, false);
      if (strategyCode == SelectStrategy.SELECT) {
        now[0] += 30_000; // blocked until an event, handled in that iteration
      } else {
        now[0] += 10_000; // polling: the event shows up 10 µs into the spell
        ready[0] = 1;
        assertEquals(1, strategy.calculateStrategy(selectNow, false));
        ready[0] = 0;
      }
    }
    assertTrue(polls.get() >= 20, "polled " + polls.get() + " times in 40 idle spells");
    // a spell in which nothing comes: polls until the budget is spent, then blocks
    int code;
    int spins = 0;
    while ((code = strategy.calculateStrategy(selectNow, false)) != SelectStrategy.SELECT) {
      assertEquals(0, code);
      now[0] += 5_000;
      spins++;
      assertTrue(spins < 100, "never blocked");
    }
    assertTrue(spins >= 9 && spins <= 11, "polled for " + spins * 5 + " µs");
    assertEquals(0, SpinWait.spinners(), "the spinner's place was given back");
    // tasks from other threads end the spell at once
    now[0] += 30_000;
    polls.set(0);
    assertEquals(0, strategy.calculateStrategy(selectNow, true));
    assertEquals(1, polls.get());
    assertFalse(SpinWait.spinners() > 0);
  }
}
