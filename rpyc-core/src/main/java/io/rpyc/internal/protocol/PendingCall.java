package io.rpyc.internal.protocol;

import io.rpyc.RpycException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * A request waiting for its reply. Completed once, from the I/O thread, with an unboxed value or an
 * exception; a synchronous caller waits for it in {@link ProtocolConnection}, serving its chain's
 * nested requests meanwhile, and an asynchronous one registers a listener.
 */
final class PendingCall {
  final long seq;
  final int handler;
  private final Thread waiter;
  private volatile boolean done;
  private Object value;
  private Throwable error;
  private BiConsumer<Object, Throwable> listener;

  PendingCall(long seq, int handler, Thread waiter) {
    this.seq = seq;
    this.handler = handler;
    this.waiter = waiter;
  }

  boolean isDone() {
    return done;
  }

  void complete(Object result) {
    finish(result, null);
  }

  void fail(Throwable cause) {
    finish(null, cause);
  }

  private void finish(Object result, Throwable cause) {
    BiConsumer<Object, Throwable> l;
    synchronized (this) {
      if (done) {
        return;
      }
      value = result;
      error = cause;
      done = true;
      l = listener;
    }
    if (waiter != null && waiter != Thread.currentThread()) { // a caller may read its own reply
      LockSupport.unpark(waiter);
    }
    if (l != null) {
      l.accept(result, cause);
    }
  }

  /** Registers the completion listener; runs it now if already done. Called once. */
  void onDone(BiConsumer<Object, Throwable> l) {
    synchronized (this) {
      if (!done) {
        listener = l;
        return;
      }
    }
    l.accept(value, error);
  }

  /** The result of a completed call, or its exception rethrown. */
  Object result() {
    if (error != null) {
      if (error instanceof RpycException) {
        // Each call has its own exception instance, created on the I/O thread: give it the
        // caller's stack, which is the one worth reading (the remote one is its cause).
        error.fillInStackTrace();
        throw (RpycException) error;
      }
      throw new RpycException(error.toString(), error);
    }
    return value;
  }
}
