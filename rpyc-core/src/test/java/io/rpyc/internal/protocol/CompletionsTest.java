package io.rpyc.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.AsyncResult;
import io.rpyc.RpycException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

  private static Object get(Object o, String name) throws Exception {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  /**
   * A drainer leaves (current = null) and takes the queue back for a result that arrived after its
   * last poll; a watchdog look in between sees no drainer and stops. The drainer must restart it,
   * or a callback of that result blocking on a later one is never handed over. (Found in review;
   * the queue is swapped for one with hooks that stand for a preempted thread.)
   */
  @Test
  void aDrainerTakingTheQueueBack_restartsTheWatchdog() throws Exception {
    Completions completions = new Completions(pool, timer);
    @SuppressWarnings("unchecked")
    AtomicReference<Object> current = (AtomicReference<Object>) get(completions, "current");
    AsyncResult<Object> r0 = new AsyncResult<>(pool);
    AsyncResult<Object> r1 = new AsyncResult<>(pool);
    AsyncResult<Object> r2 = new AsyncResult<>(pool);
    AtomicBoolean addedR1 = new AtomicBoolean();
    AtomicBoolean ticked = new AtomicBoolean();
    // the queue, with hooks at the two points of the drainer's exit (a preempted thread)
    ConcurrentLinkedQueue<Object> hooked =
        new ConcurrentLinkedQueue<>() {
          @Override
          public Object poll() {
            Object o = super.poll();
            if (o == null && r0.isDone() && addedR1.compareAndSet(false, true)) {
              // a reply arrives after the drainer's last poll: current is still the drainer
              completions.complete(r1, Function.identity(), 1, null);
            }
            return o;
          }

          @Override
          public boolean isEmpty() {
            if (addedR1.get() && current.get() == null && ticked.compareAndSet(false, true)) {
              tick(); // the watchdog looks between CAS(this, null) and CAS(null, this)
            }
            return super.isEmpty();
          }
        };
    Field q = Completions.class.getDeclaredField("queue");
    q.setAccessible(true);
    q.set(completions, hooked);

    CountDownLatch blocked = new CountDownLatch(1);
    AtomicBoolean timedOut = new AtomicBoolean();
    r1.thenAccept(
        v -> {
          blocked.countDown();
          try {
            r2.get(2, TimeUnit.SECONDS); // a callback waiting for a later result
          } catch (TimeoutException e) {
            timedOut.set(true);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
    completions.complete(r0, Function.identity(), 0, null);
    assertTrue(blocked.await(5, TimeUnit.SECONDS), "r1's callback runs");
    assertTrue(ticked.get());
    completions.complete(r2, Function.identity(), 2, null);
    for (int i = 0; i < 20; i++) { // the timer looks every 10 ms for 200 ms
      tick();
      Thread.sleep(10);
    }
    assertTrue(r2.isDone(), "the watchdog kept looking and handed r2 over");
    assertFalse(timedOut.get(), "the callback got r2 without timing out");
  }

  /**
   * A hand-over the executor rejects (shut down) fails the queued results instead of losing them.
   */
  @Test
  void aRejectedHandOver_failsTheQueuedResults() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    Completions completions =
        new Completions(
            task -> {
              if (accepted.getAndIncrement() > 0) {
                throw new RejectedExecutionException("shut down");
              }
              pool.execute(task);
            },
            timer);
    AsyncResult<Object> r0 = new AsyncResult<>(pool);
    AsyncResult<Object> r1 = new AsyncResult<>(pool);
    CountDownLatch inCallback = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    r0.thenAccept(
        v -> {
          inCallback.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    completions.complete(r0, Function.identity(), 0, null);
    assertTrue(inCallback.await(5, TimeUnit.SECONDS));
    completions.complete(r1, Function.identity(), 1, null);
    tick();
    tick(); // hand-over: execute(fresh) is rejected, current set back to null
    release.countDown();
    Thread.sleep(300);
    tick();
    tick();
    assertTrue(r1.isCompletedExceptionally(), "r1 failed rather than being lost");
    assertTrue(r1.error().getMessage().contains("executor is shut down"), r1.error().getMessage());
  }
}
