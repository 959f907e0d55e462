package io.rpyc.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The byte stream under a connection, as the protocol sees it: frames go out through it, timers run
 * on it, and a synchronous caller waits on it for its reply. Two kinds: a Netty channel ({@link
 * WriteQueue}: an event loop reads and writes for everyone) and a plain socket ({@link SocketWire}:
 * callers write their own frames and the waiting caller reads the replies itself).
 */
public interface Wire {
  /** Where frames are encoded. */
  ByteBufAllocator alloc();

  /**
   * Encodes a frame with {@code encoder} and sends it, waiting first (up to {@code timeout}) while
   * the peer is not reading. Takes ownership of the frame.
   *
   * @throws io.rpyc.RpycTimeoutException if the peer has not read enough within {@code timeout}
   * @throws io.rpyc.ConnectionClosedException if the connection closes meanwhile
   */
  void send(Supplier<ByteBuf> encoder, Duration timeout);

  /**
   * Like {@link #send}, for a frame nobody waits on at once (an asynchronous request): it may be
   * written a little later, sharing a system call with the frames sent after it.
   */
  default void sendBatched(Supplier<ByteBuf> encoder, Duration timeout) {
    send(encoder, timeout);
  }

  /** Sends a finished frame in order with the others, never waiting. Takes ownership. */
  void enqueue(ByteBuf frame);

  /** Sends what is queued, then closes. */
  void closeAfterFlush();

  /** Whether the stream is open. */
  boolean isActive();

  /** Runs {@code task} once after {@code delay}, on a thread that must not block. */
  void schedule(Runnable task, long delay, TimeUnit unit);

  /**
   * Waits at most {@code nanos} for news for a synchronous caller: until {@code ready} (its reply
   * came, or a request of its call chain). May return early, spuriously too; the caller checks and
   * calls again.
   */
  void awaitReply(Object blocker, long nanos, BooleanSupplier ready);

  /** Wakes producers waiting for the peer to read (the stream's writability changed). */
  void signal();

  SocketAddress localAddress();

  SocketAddress remoteAddress();
}
