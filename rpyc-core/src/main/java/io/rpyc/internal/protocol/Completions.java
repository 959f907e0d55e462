package io.rpyc.internal.protocol;

import io.rpyc.AsyncResult;
import io.rpyc.RpycException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a connection's {@link AsyncResult}s on its executor, in the order their replies
 * arrived, as many per worker wake-up as have arrived. Waking a worker for each result cost a
 * context switch and about 3 µs of CPU per pipelined call; one drainer takes every result that is
 * there when it runs.
 *
 * <p>Completing a result runs its callbacks and dependent stages: user code, which may block, even
 * on a later result of the same connection that the blocked drainer would never reach. So while a
 * drainer runs, a watchdog looks every {@link #STALL_MILLIS} ms; when the drainer is still inside
 * the completion it was in at the last look, a new drainer takes over the queue and the stuck one
 * retires once its completion returns. A callback that blocks thus holds the others up for at most
 * about twice that.
 *
 * <p>Thread-safe: any thread may {@link #complete}; the watchdog runs on the connection's timer.
 */
final class Completions {
  private static final Logger log = LoggerFactory.getLogger(Completions.class);

  /** How often the watchdog looks whether a drainer is stuck in one completion. */
  static final long STALL_MILLIS = 10;

  /** Runs a task later on a thread that must not block (the wire's timer). */
  interface Timer {
    void schedule(Runnable task, long delay, TimeUnit unit);
  }

  private final Executor executor;
  private final Timer timer;
  private final ConcurrentLinkedQueue<Done> queue = new ConcurrentLinkedQueue<>();

  /** The drainer that owns the queue, or {@code null} when none is scheduled or running. */
  private final AtomicReference<Drainer> current = new AtomicReference<>();

  private final AtomicBoolean watching = new AtomicBoolean();

  Completions(Executor executor, Timer timer) {
    this.executor = executor;
    this.timer = timer;
  }

  /**
   * Completes {@code result} with {@code convert(value)}, or with {@code error} when it is not
   * {@code null}, on a worker.
   */
  <T> void complete(
      AsyncResult<T> result, Function<Object, ? extends T> convert, Object value, Throwable error) {
    queue.add(new Done(result, convert, value, error));
    if (current.get() == null) {
      Drainer d = new Drainer();
      if (current.compareAndSet(null, d)) {
        start(d);
      }
    }
  }

  private void start(Drainer d) {
    try {
      executor.execute(d);
    } catch (RejectedExecutionException e) {
      current.compareAndSet(d, null);
      failQueued(e);
      return;
    }
    ensureWatched();
  }

  /** The executor is shut down: nothing will complete what is queued, so it fails. */
  private void failQueued(RejectedExecutionException e) {
    Done done;
    while ((done = queue.poll()) != null) {
      done.result.completeExceptionally(new RpycException("the executor is shut down", e));
    }
  }

  /** Starts the watchdog unless it is looking already; called whenever a drainer takes over. */
  private void ensureWatched() {
    if (!watching.get() && watching.compareAndSet(false, true)) {
      watchLater();
    }
  }

  private void watchLater() {
    try {
      timer.schedule(this::watch, STALL_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      watching.set(false); // the timer is shut down: nothing is served any more
    }
  }

  /** The watchdog: hands the queue to a new drainer when the current one is stuck. */
  private void watch() {
    Drainer d = current.get();
    if (d == null) {
      watching.set(false);
      // a drainer started meanwhile may have seen watching still set: look after it then
      if (current.get() == null || !watching.compareAndSet(false, true)) {
        return;
      }
    } else if (d.busy && d.ran == d.seen) {
      Drainer fresh = new Drainer();
      if (current.compareAndSet(d, fresh)) {
        log.debug(
            "a callback of an asynchronous result has run for over {} ms: another worker"
                + " completes the other results",
            STALL_MILLIS);
        try {
          executor.execute(fresh);
        } catch (RejectedExecutionException e) {
          current.compareAndSet(fresh, null);
          failQueued(e); // the stuck drainer retires without looking at the queue again
        }
      }
    } else {
      d.seen = d.ran;
    }
    watchLater();
  }

  /** One result to complete. */
  private static final class Done {
    @SuppressWarnings("rawtypes")
    final AsyncResult result;

    final Function<Object, ?> convert;
    final Object value;
    final Throwable error;

    Done(AsyncResult<?> result, Function<Object, ?> convert, Object value, Throwable error) {
      this.result = result;
      this.convert = convert;
      this.value = value;
      this.error = error;
    }

    @SuppressWarnings("unchecked")
    void run() {
      if (error != null) {
        result.completeExceptionally(error);
        return;
      }
      Object converted;
      try {
        converted = convert.apply(value);
      } catch (Throwable t) {
        result.completeExceptionally(t);
        return;
      }
      result.complete(converted);
    }
  }

  /** Drains the queue while it owns it. */
  private final class Drainer implements Runnable {
    volatile boolean busy;
    volatile long ran; // written by this drainer's thread only
    volatile long seen = -1; // written by the watchdog only

    @Override
    public void run() {
      while (true) {
        Done done;
        // (a hand-over between the check and the poll lets this drainer run one more result,
        // alongside the new drainer: only after a stall, when order is no longer promised)
        while (current.get() == this && (done = queue.poll()) != null) {
          busy = true;
          try {
            done.run();
          } catch (RuntimeException | Error e) {
            // CompletableFuture keeps its dependents' exceptions; this is a bug of ours
            log.error("completing an asynchronous result failed", e);
          } finally {
            busy = false;
            ran++;
          }
        }
        if (!current.compareAndSet(this, null)) {
          return; // replaced by the watchdog: the new drainer owns the queue
        }
        // a result queued after the last poll may have found this drainer still current
        if (queue.isEmpty() || !current.compareAndSet(null, this)) {
          return;
        }
        ensureWatched(); // the watchdog may have stopped meanwhile, seeing no drainer
      }
    }
  }
}
