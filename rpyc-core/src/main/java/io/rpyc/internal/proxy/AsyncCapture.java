package io.rpyc.internal.proxy;

import io.rpyc.AsyncResult;

/**
 * {@code Rpyc.async(proxy, p -> p.method(x))}: while the function runs, a proxy call on this thread
 * is sent asynchronously and its {@link AsyncResult} recorded here instead of waiting.
 */
public final class AsyncCapture {
  private static final ThreadLocal<AsyncCapture> CURRENT = new ThreadLocal<>();

  private final boolean oneway;
  private AsyncResult<Object> result;
  private int calls;

  private AsyncCapture(boolean oneway) {
    this.oneway = oneway;
  }

  /** Starts capturing on this thread. */
  public static AsyncCapture begin(boolean oneway) {
    if (CURRENT.get() != null) {
      throw new IllegalStateException("Rpyc.async/oneway cannot be nested");
    }
    AsyncCapture capture = new AsyncCapture(oneway);
    CURRENT.set(capture);
    return capture;
  }

  /** The capture active on this thread, or {@code null}. */
  static AsyncCapture current() {
    return CURRENT.get();
  }

  boolean oneway() {
    return oneway;
  }

  void record(AsyncResult<Object> r) {
    calls++;
    result = r;
  }

  /** Stops capturing; returns the single call's result. */
  public AsyncResult<Object> end() {
    CURRENT.set(null); // not remove(): the next get() would allocate the entry again
    if (calls == 0) {
      throw new IllegalArgumentException(
          "the function made no call on a remote proxy; write it as p -> p.method(args)");
    }
    if (calls > 1) {
      throw new IllegalArgumentException(
          "the function made "
              + calls
              + " remote calls; it must make exactly one: p -> p.method(args)");
    }
    return result;
  }

  /** Stops capturing after a failure. */
  public void abort() {
    CURRENT.set(null); // not remove(): the next get() would allocate the entry again
  }
}
