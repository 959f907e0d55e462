package io.rpyc.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AsyncResult;
import io.rpyc.RpycException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompletionsTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<Runnable> timerTasks = new ConcurrentLinkedQueue<>();
  private final Completions.Timer timer = (task, delay, unit) -> timerTasks.add(task);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Runs the watchdog's next look, as the wire's timer would after STALL_MILLIS. */
  private void tick() {
    Runnable task = timerTasks.poll();
    if (task != null) {
      task.run();
    }
  }

  @Test
  void resultsThatArriveTogether_areCompletedByOneWorker_inArrivalOrder() throws Exception {
    List<Runnable> tasks = new ArrayList<>();
    Completions completions = new Completions(tasks::add, timer);
    List<Integer> order = new ArrayList<>(); // one drainer: no lock needed
    List<AsyncResult<Object>> results = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      AsyncResult<Object> r = new AsyncResult<>(pool);
      r.thenAccept(v -> order.add((Integer) v));
      results.add(r);
      completions.complete(r, Function.identity(), i, null);
    }
    assertEquals(1, tasks.size(), "one worker task for results that arrived together");
    tasks.get(0).run();
    for (int i = 0; i < 100; i++) {
      assertEquals(i, results.get(i).join());
      assertEquals(i, order.get(i));
    }
    completions.complete(new AsyncResult<>(pool), Function.identity(), 100, null);
    assertEquals(2, tasks.size(), "a result arriving after the drainer left starts another");
  }

  @Test
  void errorsAndFailedConversions_completeExceptionally() {
    List<Runnable> tasks = new ArrayList<>();
    Completions completions = new Completions(tasks::add, timer);
    AsyncResult<Object> failed = new AsyncResult<>(pool);
    AsyncResult<Object> badConversion = new AsyncResult<>(pool);
    completions.complete(failed, Function.identity(), null, new RpycException("remote"));
    completions.complete(
        badConversion,
        v -> {
          throw new IllegalArgumentException("cannot convert " + v);
        },
        "x",
        null);
    tasks.forEach(Runnable::run);
    assertEquals("remote", failed.error().getMessage());
    assertInstanceOf(IllegalArgumentException.class, badConversion.error());
  }

  @Test
  void aShutDownExecutor_failsTheResult_insteadOfLosingIt() {
    Completions completions =
        new Completions(
            task -> {
              throw new RejectedExecutionException("shut down");
            },
            timer);
    AsyncResult<Object> r = new AsyncResult<>(pool);
    completions.complete(r, Function.identity(), 1, null);
    assertTrue(r.isCompletedExceptionally());
    assertTrue(r.error().getMessage().contains("executor is shut down"), r.error().getMessage());
  }

  @Test
  void aCallbackThatBlocks_onALaterResult_isHandedOver_notDeadlocked() throws Exception {
    Completions completions = new Completions(pool, timer);
    AsyncResult<Object> first = new AsyncResult<>(pool);
    AsyncResult<Object> later = new AsyncResult<>(pool);
    CountDownLatch blocked = new CountDownLatch(1);
    AtomicInteger seenByCallback = new AtomicInteger(-1);
    CountDownLatch callbackDone = new CountDownLatch(1);
    first.thenAccept(
        v -> {
          blocked.countDown();
          seenByCallback.set((Integer) later.join()); // waits for the result queued behind it
          callbackDone.countDown();
        });
    completions.complete(first, Function.identity(), 1, null);
    assertTrue(blocked.await(5, TimeUnit.SECONDS));
    completions.complete(later, Function.identity(), 2, null);
    assertFalse(callbackDone.await(50, TimeUnit.MILLISECONDS), "not before the watchdog looks");

    tick(); // first look: the drainer is in a completion; remember where
    assertFalse(later.isDone(), "one look is not enough to call a drainer stuck");
    tick(); // second look: still in the same completion, so another worker takes over
    assertTrue(callbackDone.await(5, TimeUnit.SECONDS), "the later result was completed");
    assertEquals(2, seenByCallback.get());

    tick(); // nothing runs any more: the watchdog stops looking
    tick();
    assertTrue(timerTasks.isEmpty(), "the watchdog stops once no drainer runs");
  }

  @Test
  void aDrainerThatMakesProgress_isLeftAlone() throws Exception {
    List<Runnable> tasks = new ArrayList<>();
    Completions completions = new Completions(tasks::add, timer);
    completions.complete(new AsyncResult<>(pool), Function.identity(), 1, null);
    assertEquals(1, tasks.size());
    tick(); // queued but not yet running: not stuck
    tick();
    assertEquals(1, tasks.size(), "a drainer that has not started is not replaced");
    tasks.get(0).run();
    tick();
    assertTrue(timerTasks.isEmpty(), "the watchdog stops once no drainer runs");
  }
}
