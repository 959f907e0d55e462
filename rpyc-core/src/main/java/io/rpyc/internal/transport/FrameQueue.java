package io.rpyc.internal.transport;

import io.netty.buffer.ByteBuf;
import io.rpyc.ConnectionClosedException;
import io.rpyc.RpycException;
import io.rpyc.RpycTimeoutException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Finished frames waiting to be written, in order, with their byte count, and the producers waiting
 * for room when the peer does not read (back-pressure). Shared by both {@link Wire}s; owns the
 * queued buffers.
 */
final class FrameQueue {
  private final ConcurrentLinkedQueue<ByteBuf> frames = new ConcurrentLinkedQueue<>();
  private final AtomicLong bytes = new AtomicLong();
  private final Object room = new Object();

  /** Producers in {@link #awaitRoom}: a signal takes the monitor only when there are some. */
  private volatile int waiting;

  void add(ByteBuf frame) {
    bytes.addAndGet(frame.readableBytes());
    frames.add(frame);
  }

  /** The next frame to write, or {@code null}. */
  ByteBuf poll() {
    ByteBuf frame = frames.poll();
    if (frame != null) {
      bytes.addAndGet(-frame.readableBytes());
    }
    return frame;
  }

  boolean isEmpty() {
    return frames.isEmpty();
  }

  /** Bytes queued. */
  long bytes() {
    return bytes.get();
  }

  /** Drops every queued frame (the connection is going away). */
  void releaseAll() {
    ByteBuf frame;
    while ((frame = poll()) != null) {
      frame.release();
    }
  }

  /**
   * Wakes producers waiting in {@link #awaitRoom}. Called after every write, by every writing
   * thread, so it takes the monitor only when someone waits: contended, it cost each write a futex
   * call. (A producer counts itself in before it looks for room, and the writer frees room before
   * it reads the count, so one of them always sees the other.)
   */
  void signal() {
    if (waiting == 0) {
      return;
    }
    synchronized (room) {
      room.notifyAll();
    }
  }

  /**
   * Waits until {@code hasRoom}, for at most {@code timeout}, looking again at least every {@code
   * maxSliceNanos} (for wires whose signals may be missed).
   *
   * @param pending the bytes waiting to be sent, for the timeout's message
   * @throws RpycTimeoutException if the peer has not read enough within {@code timeout}
   * @throws ConnectionClosedException if the connection closes meanwhile
   */
  void awaitRoom(
      BooleanSupplier hasRoom,
      BooleanSupplier open,
      LongSupplier pending,
      Duration timeout,
      long maxSliceNanos) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (room) {
      waiting++; // under the monitor: volatile for signal(), which reads it without
      try {
        while (!hasRoom.getAsBoolean()) {
          if (!open.getAsBoolean()) {
            throw new ConnectionClosedException("the connection closed while waiting to send");
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new RpycTimeoutException(
                "the peer has not read what was sent for "
                    + timeout
                    + " ("
                    + pending.getAsLong()
                    + " bytes waiting); back-pressure stopped this send");
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(room, Math.min(left, maxSliceNanos));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpycException("interrupted while waiting to send", e);
          }
        }
      } finally {
        waiting--;
      }
    }
  }
}
