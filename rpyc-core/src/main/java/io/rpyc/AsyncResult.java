package io.rpyc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The result of an asynchronous remote call: RPyC's {@code AsyncResult}, and a {@link
 * CompletableFuture} at the same time, so it chains with {@code thenApply}, {@code thenCompose},
 * {@code allOf} and the rest of {@link java.util.concurrent.CompletionStage}.
 *
 * <pre>{@code
 * AsyncResult<Object> r = ref.callAsync("slowMethod", 42);      // dynamic
 * AsyncResult<Integer> s = Rpyc.async(calc, c -> c.add(1, 2));  // through a typed proxy
 * s.setExpiry(Duration.ofSeconds(5)).addCallback(done -> log(done.value()));
 * int three = s.value();                                        // blocks until ready
 * s.thenApply(x -> x * 2).thenAccept(System.out::println);
 * }</pre>
 *
 * <p>Completion, callbacks and dependent stages run on rpyc-java's worker threads, never on an I/O
 * thread: one worker at a time per connection, in the order the replies arrive; a callback that
 * runs (or blocks) for more than about 10–20 ms has the connection's other results completed by
 * another worker meanwhile. After the expiry (see {@link #setExpiry}) the result completes with an
 * {@link RpycTimeoutException}; a reply arriving later is dropped and any remote objects it carried
 * are released. The remote call itself is not cancelled. Thread-safe.
 *
 * @param <T> the type of the value
 */
public final class AsyncResult<T> extends CompletableFuture<T> {
  private final Executor executor;
  private volatile boolean expired;

  /**
   * Creates an incomplete result whose callbacks and default asynchronous stages run on {@code
   * executor}. rpyc-java creates these for remote calls; there is rarely a reason to create one.
   */
  public AsyncResult(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** Whether the result (a value or an error) has arrived; RPyC's {@code ready}. */
  public boolean isReady() {
    return isDone() && !expired;
  }

  /** Whether the expiry passed before the result arrived; RPyC's {@code expired}. */
  public boolean isExpired() {
    return expired;
  }

  /**
   * The value, waiting for it if needed; RPyC's {@code value}.
   *
   * @throws RemoteInvocationException if the remote call threw (and the other {@link
   *     RpycException}s of a synchronous call)
   * @throws RpycTimeoutException if the result expired
   */
  public T value() {
    if (!isDone() && io.rpyc.internal.transport.Transport.isIoThread()) {
      throw new IllegalStateException("waiting for a remote result on a Netty I/O thread");
    }
    try {
      return join();
    } catch (CompletionException | CancellationException e) {
      throw rethrowable(e instanceof CompletionException ? e.getCause() : e);
    }
  }

  /** The error the call completed with, or {@code null} if it succeeded or is not ready yet. */
  public Throwable error() {
    if (!isCompletedExceptionally()) {
      return null;
    }
    try {
      join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    }
  }

  /**
   * Waits at most {@code timeout} for the result; RPyC's {@code wait()}.
   *
   * @return whether the result is ready
   */
  public boolean waitFor(Duration timeout) {
    try {
      get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | CancellationException e) {
      // ready, with an error
    }
    return isReady();
  }

  /**
   * Expires the result if it has not arrived within {@code expiry} from now; RPyC's {@code
   * set_expiry}.
   *
   * @return this result
   */
  public AsyncResult<T> setExpiry(Duration expiry) {
    Objects.requireNonNull(expiry, "expiry");
    CompletableFuture.delayedExecutor(expiry.toNanos(), TimeUnit.NANOSECONDS, executor)
        .execute(
            () -> {
              if (!isDone()) {
                expired = true;
                if (!completeExceptionally(
                    new RpycTimeoutException("the result expired after " + expiry))) {
                  expired = false; // the result won the race
                }
              }
            });
    return this;
  }

  /**
   * Runs {@code callback} with this result once it is ready (or expired), on a worker thread;
   * RPyC's {@code add_callback}. Runs at once if it already is.
   *
   * @return this result
   */
  public AsyncResult<T> addCallback(Consumer<? super AsyncResult<T>> callback) {
    Objects.requireNonNull(callback, "callback");
    whenComplete((v, e) -> callback.accept(this));
    return this;
  }

  @Override
  public Executor defaultExecutor() {
    return executor;
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new AsyncResult<>(executor);
  }

  private static RuntimeException rethrowable(Throwable t) {
    if (t instanceof RuntimeException) {
      if (t instanceof RpycException) {
        t.fillInStackTrace(); // show where the value was asked for
      }
      return (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    return new RpycException(t.toString(), t);
  }

  @Override
  public String toString() {
    return "AsyncResult[" + (expired ? "expired" : isDone() ? "ready" : "pending") + "]";
  }
}
